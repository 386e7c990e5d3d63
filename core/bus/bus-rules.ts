import { type FieldViolation, invalidArgument, SwitchboardError } from "../errors.js";
import type { BusHeaders, BusMessage, ConsumeOptions, StreamLayout, StreamSpec } from "./bus.js";
import type { NormalizedBusOptions } from "./bus-options.js";
import {
  checkPattern,
  checkSubject,
  hasUnsafeChars,
  patternCovers,
  subjectMatches,
} from "./subject-match.js";
import { createSubjectScheme, type SubjectScheme } from "./subjects.js";

/**
 * Validation and layout shared by both implementations, so they accept and refuse exactly the
 * same calls: the contract tests then only have to compare behaviour, not error paths.
 */
export interface BusRules {
  readonly subjects: SubjectScheme;
  readonly layout: StreamLayout;
  readonly allStreams: readonly StreamSpec[];
  /** The stream storing `subject`, or undefined. */
  streamFor(subject: string): StreamSpec | undefined;
  checkPublish(subject: string, msgId: string, headers: BusHeaders | undefined): StreamSpec;
  checkNotify(subject: string, headers: BusHeaders | undefined): void;
  normalizeConsume(options: ConsumeOptions): NormalizedConsume;
}

export interface NormalizedConsume {
  readonly durable: string | undefined;
  readonly stream: StreamSpec;
  readonly filterSubjects: readonly string[];
  readonly maxDeliver: number;
  readonly backoffMs: readonly number[];
  readonly ackWaitMs: number;
  readonly maxAckPending: number;
  readonly concurrency: number;
  readonly partitionKey: (message: BusMessage) => string;
  readonly deliverFromSeq: number | undefined;
}

export const consumeDefaults = {
  maxDeliver: 5,
  backoffMs: [1000, 5000, 30_000],
  ackWaitMs: 30_000,
  maxAckPending: 1000,
  concurrency: 1,
} as const;

const namePattern = /^[A-Za-z0-9_-]*$/;
const maxHeaderValueLength = 4096;

export function createBusRules(options: NormalizedBusOptions): BusRules {
  if (!namePattern.test(options.streamPrefix)) {
    throw invalidArgument([{ field: "streamPrefix", description: "only A-Z a-z 0-9 _ -" }]);
  }
  const subjects = createSubjectScheme(options.subjectRoot);
  const root = subjects.root;
  const spec = (name: string, kind: string): StreamSpec => ({
    name: `${options.streamPrefix}${name}`,
    subjects: [`${root}.${kind}.>`],
  });
  const layout: StreamLayout = {
    contacts: spec("CONTACTS", "contact"),
    agents: spec("AGENTS", "agent"),
    offers: spec("OFFERS", "offer"),
    messages: spec("MESSAGES", "message"),
    deadLetters: spec("DLQ", "dlq"),
  };
  const allStreams = [
    layout.contacts,
    layout.agents,
    layout.offers,
    layout.messages,
    layout.deadLetters,
  ];
  const streamFor = (subject: string): StreamSpec | undefined =>
    allStreams.find((s) => s.subjects.some((p) => subjectMatches(p, subject)));
  // Subjects already found valid and stored, with their stream: a process publishes to the
  // same few thousand subjects over and over (per tenant, channel, agent), and tokenizing and
  // matching each again was ~2% of the router's CPU. Bounded: starts over when full.
  const published = new Map<string, StreamSpec>();

  return {
    subjects,
    layout,
    allStreams,
    streamFor,
    checkPublish(subject, msgId, headers) {
      const known = published.get(subject);
      if (known === undefined) checkSubject(subject);
      const violations = msgIdViolations(msgId);
      if (headers !== undefined) violations.push(...headerViolations(headers));
      if (violations.length > 0) throw invalidArgument(violations);
      if (known !== undefined) return known;
      const stream = streamFor(subject);
      if (stream === undefined) {
        throw invalidArgument([{ field: "subject", description: `no stream stores ${subject}` }]);
      }
      if (published.size >= PUBLISHED_SUBJECTS) published.clear();
      published.set(subject, stream);
      return stream;
    },
    checkNotify(subject, headers) {
      checkSubject(subject);
      const violations = headerViolations(headers);
      if (streamFor(subject) !== undefined) {
        violations.push({ field: "subject", description: `${subject} is stored: use publish` });
      }
      if (violations.length > 0) throw invalidArgument(violations);
    },
    normalizeConsume(o) {
      const violations: FieldViolation[] = [];
      const positive = (field: string, value: number | undefined, fallback: number): number => {
        const v = value ?? fallback;
        if (!Number.isInteger(v) || v < 1) violations.push({ field, description: "integer ≥ 1" });
        return v;
      };
      if (o.durable !== undefined && (o.durable.length === 0 || !namePattern.test(o.durable))) {
        violations.push({ field: "durable", description: "non-empty, only A-Z a-z 0-9 _ -" });
      }
      if (o.filterSubjects.length === 0) {
        violations.push({ field: "filterSubjects", description: "at least one pattern" });
      }
      o.filterSubjects.forEach((p, i) => {
        checkPattern(p, `filterSubjects[${i}]`);
      });
      const stream = allStreams.find((s) =>
        o.filterSubjects.every((f) => s.subjects.some((p) => patternCovers(p, f))),
      );
      if (stream === undefined && o.filterSubjects.length > 0) {
        violations.push({ field: "filterSubjects", description: "must all fall into one stream" });
      }
      const backoffMs = o.backoffMs ?? consumeDefaults.backoffMs;
      if (backoffMs.length === 0 || backoffMs.some((ms) => !Number.isInteger(ms) || ms < 0)) {
        violations.push({ field: "backoffMs", description: "non-empty, integers ≥ 0" });
      }
      const seq = o.deliverFrom?.seq;
      if (seq !== undefined && (!Number.isInteger(seq) || seq < 1)) {
        violations.push({ field: "deliverFrom.seq", description: "integer ≥ 1" });
      }
      const normalized: NormalizedConsume = {
        durable: o.durable,
        stream: stream ?? layout.contacts,
        filterSubjects: [...o.filterSubjects],
        maxDeliver: positive("maxDeliver", o.maxDeliver, consumeDefaults.maxDeliver),
        backoffMs: [...backoffMs],
        ackWaitMs: positive("ackWaitMs", o.ackWaitMs, consumeDefaults.ackWaitMs),
        maxAckPending: positive("maxAckPending", o.maxAckPending, consumeDefaults.maxAckPending),
        concurrency: positive("concurrency", o.concurrency, consumeDefaults.concurrency),
        partitionKey: o.partitionKey ?? (() => ""),
        deliverFromSeq: seq,
      };
      if (violations.length > 0) throw invalidArgument(violations);
      return normalized;
    },
  };
}

/** Subjects `checkPublish` remembers as valid at most. */
const PUBLISHED_SUBJECTS = 10_000;

function msgIdViolations(msgId: string): FieldViolation[] {
  if (msgId.length === 0 || msgId.length > 256 || hasUnsafeChars(msgId)) {
    return [{ field: "msgId", description: "1–256 characters, no whitespace" }];
  }
  return [];
}

function headerViolations(headers: BusHeaders | undefined): FieldViolation[] {
  const out: FieldViolation[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    const field = `headers.${name}`;
    if (!/^[!-9;-~]+$/.test(name)) out.push({ field, description: "printable ASCII, no ':'" });
    else if (/^nats-/i.test(name)) out.push({ field, description: "Nats-* headers are reserved" });
    if (/[\r\n]/.test(value) || value.length > maxHeaderValueLength) {
      out.push({ field, description: `no line breaks, ≤ ${maxHeaderValueLength} characters` });
    }
  }
  return out;
}

/** Makes any text safe as a header value (error messages can span lines). */
export function headerSafe(text: string): string {
  return text.replace(/[\r\n]+/g, " ").slice(0, maxHeaderValueLength);
}

/** Whether the bus was prepared; both implementations refuse work before `ensureStreams()`. */
export function requireStreams(ensured: boolean): void {
  if (!ensured) {
    throw new SwitchboardError("FAILED_PRECONDITION", "call bus.ensureStreams() first");
  }
}
