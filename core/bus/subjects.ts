import { invalidArgument, SwitchboardError } from "../errors.js";
import { checkSubject, hasUnsafeChars } from "./subject-match.js";

/**
 * The subject scheme of DESIGN §1, built and parsed in one place so nobody concatenates subjects
 * by hand. The root token (`sb` in production) is configurable so tests on a shared server can
 * use subjects that no other test's streams capture.
 *
 *   <root>.contact.<tenant>.<channel>.<event>
 *   <root>.agent.<tenant>.<agentId>.<event>
 *   <root>.offer.<tenant>.<agentId>
 *   <root>.message.<tenant>.<channel>.<contactId>   conversation messages (chat, email replies)
 *   <root>.dlq.<original subject>
 */
export type ParsedSubject =
  | {
      readonly kind: "contact";
      readonly tenant: string;
      readonly channel: string;
      readonly event: string;
    }
  | {
      readonly kind: "agent";
      readonly tenant: string;
      readonly agentId: string;
      readonly event: string;
    }
  | { readonly kind: "offer"; readonly tenant: string; readonly agentId: string }
  | {
      readonly kind: "message";
      readonly tenant: string;
      readonly channel: string;
      readonly contactId: string;
    }
  | { readonly kind: "deadLetter"; readonly original: string };

export interface SubjectScheme {
  readonly root: string;
  contact(tenant: string, channel: string, event: string): string;
  agent(tenant: string, agentId: string, event: string): string;
  offer(tenant: string, agentId: string): string;
  /** A contact's conversation messages (both directions). */
  message(tenant: string, channel: string, contactId: string): string;
  /** Where a message that exhausted its deliveries goes. */
  deadLetter(originalSubject: string): string;
  /** Throws INVALID_ARGUMENT when the subject is not one of ours. */
  parse(subject: string): ParsedSubject;
}

const maxTokenLength = 128;
/** Subject tokens a scheme remembers as valid at most. */
const VALID_TOKENS = 10_000;
// A token becomes one subject token: dots would add levels, wildcards would widen filters.
const wildcardOrDot = /[.*>]/;

/** Validates one identifier used as a subject token. Throws INVALID_ARGUMENT naming `field`. */
export function checkToken(value: string, field: string): void {
  if (value.length === 0) throw invalidArgument([{ field, description: "must not be empty" }]);
  if (value.length > maxTokenLength) {
    throw invalidArgument([{ field, description: `longer than ${maxTokenLength} characters` }]);
  }
  if (wildcardOrDot.test(value) || hasUnsafeChars(value)) {
    throw invalidArgument([
      { field, description: `"${value}" must not contain ".", "*", ">" or whitespace` },
    ]);
  }
}

export function createSubjectScheme(root = "sb"): SubjectScheme {
  checkToken(root, "subjectRoot");
  // Values already found valid: tenants, channels, events and agent ids recur on every
  // publish, and checking each again was most of building a subject. Bounded: starts over.
  const valid = new Set<string>();
  // Each value is checked under the name the caller knows it by, e.g. "tenant".
  const token = (value: string, field: string): string => {
    if (!valid.has(value)) {
      checkToken(value, field);
      if (valid.size >= VALID_TOKENS) valid.clear();
      valid.add(value);
    }
    return value;
  };
  return {
    root,
    contact: (tenant, channel, event) =>
      `${root}.contact.${token(tenant, "tenant")}.${token(channel, "channel")}.${token(event, "event")}`,
    agent: (tenant, agentId, event) =>
      `${root}.agent.${token(tenant, "tenant")}.${token(agentId, "agentId")}.${token(event, "event")}`,
    offer: (tenant, agentId) =>
      `${root}.offer.${token(tenant, "tenant")}.${token(agentId, "agentId")}`,
    message: (tenant, channel, contactId) =>
      `${root}.message.${token(tenant, "tenant")}.${token(channel, "channel")}.${token(contactId, "contactId")}`,
    deadLetter(originalSubject) {
      checkSubject(originalSubject, "originalSubject");
      return `${root}.dlq.${originalSubject}`;
    },
    parse(subject) {
      checkSubject(subject);
      const [r, kind, ...rest] = subject.split(".");
      const [a, b, c] = rest;
      if (r === root) {
        if (kind === "contact" && rest.length === 3 && a && b && c) {
          return { kind, tenant: a, channel: b, event: c };
        }
        if (kind === "agent" && rest.length === 3 && a && b && c) {
          return { kind, tenant: a, agentId: b, event: c };
        }
        if (kind === "offer" && rest.length === 2 && a && b) return { kind, tenant: a, agentId: b };
        if (kind === "message" && rest.length === 3 && a && b && c) {
          return { kind, tenant: a, channel: b, contactId: c };
        }
        if (kind === "dlq" && rest.length > 0)
          return { kind: "deadLetter", original: rest.join(".") };
      }
      throw new SwitchboardError(
        "INVALID_ARGUMENT",
        `not a ${root}.* switchboard subject: ${subject}`,
        {
          violations: [{ field: "subject", description: "unknown subject layout" }],
        },
      );
    },
  };
}

/** The production scheme (`sb.…`). */
export const subjects: SubjectScheme = createSubjectScheme();
