/**
 * Snapshot and restore of the full engine state as plain JSON data. Derived structures (ready
 * lists, waiting groups, staffing counts) are rebuilt, in the same order, from the plain data;
 * restore-then-continue therefore decides exactly as never stopping would.
 *
 * Complexity: snapshot (and snapshotJson) O(A + C + T log T), restore O((A + C) log(A + C) + T log T).
 */
import type { RoutingConfig } from "./config-types.js";
import { refreshRequirement, setQueueKeys } from "./contact-placement.js";
import type { ContactPhase, Offer, RouterEffect } from "./decision.js";
import type {
  AgentPresence,
  AgentProfile,
  AgentState,
  ContactInput,
  ContactState,
  CustomerHistory,
} from "./domain.js";
import { EngineCore } from "./engine-core.js";
import { invalid } from "./errors.js";
import type { HistoryEntry } from "./history.js";
import type { NoMatchEntryData } from "./no-match-cache.js";
import { normalizeOptions, type RouterEngineOptions } from "./options.js";
import { type AgentRecord, type ContactRecord, NO_LEVELS, NONE_EXCLUDED } from "./records.js";
import { computeRequirement } from "./requirements.js";
import { type Timer, TimerHeap } from "./timers.js";
import { normalizeAgent } from "./validate-agent.js";
import { normalizeRouting } from "./validate-config.js";
import { normalizeContact } from "./validate-contact.js";

export interface AgentSnapshot {
  readonly profile: AgentProfile;
  readonly presence: AgentPresence;
  readonly loadMilli: number;
  readonly voiceCount: number;
  readonly held: readonly (readonly [string, number])[];
  readonly consecutiveMisses: number;
  readonly state: AgentState;
  readonly stateSinceMs: number;
  readonly readySeq: readonly number[];
  readonly readySinceMs: readonly number[];
}

export interface ContactSnapshot {
  readonly input: ContactInput;
  readonly history: CustomerHistory | null;
  readonly ruleId: string;
  readonly queueId: string;
  readonly step: number;
  readonly phase: ContactPhase;
  readonly phaseEndsAtMs: number;
  readonly preferredAgentId: string | null;
  readonly targetAgentId: string | null;
  readonly priority: number;
  readonly repeat: boolean;
  readonly firstEnqueuedAtMs: number;
  readonly queuedAtMs: number;
  readonly seq: number;
  readonly atHead: boolean;
  readonly excluded: readonly string[];
  readonly state: ContactState;
  readonly agentId: string | null;
  readonly offerId: string | null;
  readonly connectedAtMs: number;
  readonly nextStepAtMs: number;
  readonly wrapUpEndsAtMs: number;
  readonly waiting: boolean;
}

/** Everything the engine knows, as JSON-serializable data. */
export interface RouterSnapshot {
  readonly formatVersion: 1;
  readonly nowMs: number;
  readonly options: Omit<RouterEngineOptions, "routing" | "strategy">;
  readonly routing: RoutingConfig;
  readonly counters: {
    readonly contactSeq: number;
    readonly readySeq: number;
    readonly offerSeq: number;
  };
  readonly agents: readonly AgentSnapshot[];
  readonly contacts: readonly ContactSnapshot[];
  readonly offers: readonly Offer[];
  readonly timers: { readonly seq: number; readonly timers: readonly Timer[] };
  readonly history: {
    readonly old: readonly [string, HistoryEntry[]][];
    readonly young: readonly [string, HistoryEntry[]][];
  };
  readonly ahtMs: readonly (readonly [string, number])[];
  readonly listInserts: readonly (readonly [string, number])[];
  readonly noMatch: readonly NoMatchEntryData[];
  readonly pendingEffects: readonly RouterEffect[];
}

/** The snapshot: a deep copy, independent of the engine. */
export function takeSnapshot(
  core: EngineCore,
  options: Omit<RouterEngineOptions, "routing" | "strategy">,
): RouterSnapshot {
  return structuredClone(snapshotView(core, options));
}

/**
 * The snapshot as JSON text: serialized straight from the engine's objects, without the deep
 * copy `takeSnapshot` makes (a router stores its snapshot as JSON every second, and copying
 * every live contact first was most of that cost). Restores like `takeSnapshot`'s data.
 */
export function snapshotJson(
  core: EngineCore,
  options: Omit<RouterEngineOptions, "routing" | "strategy">,
): string {
  return JSON.stringify(snapshotView(core, options));
}

/** The snapshot's data sharing the engine's own objects: copy or serialize it at once. */
function snapshotView(
  core: EngineCore,
  options: Omit<RouterEngineOptions, "routing" | "strategy">,
): RouterSnapshot {
  const agents: AgentSnapshot[] = [...core.agents.values()].map((a) => ({
    profile: a.source,
    presence: a.presence,
    loadMilli: a.loadMilli,
    voiceCount: a.voiceCount,
    held: [...a.held],
    consecutiveMisses: a.consecutiveMisses,
    state: a.state,
    stateSinceMs: a.stateSinceMs,
    readySeq: [...a.readySeq],
    readySinceMs: [...a.readySinceMs],
  }));
  const contacts: ContactSnapshot[] = [...core.contacts.values()].map((c) => ({
    input: c.input,
    history: c.history,
    ruleId: c.ruleId,
    queueId: c.queueId,
    step: c.step,
    phase: c.phase,
    phaseEndsAtMs: c.phaseEndsAtMs,
    preferredAgentId: c.preferredAgentId,
    targetAgentId: c.targetAgentId,
    priority: c.priority,
    repeat: c.repeat,
    firstEnqueuedAtMs: c.firstEnqueuedAtMs,
    queuedAtMs: c.queuedAtMs,
    seq: c.seq,
    atHead: c.atHead,
    excluded: [...c.excluded],
    state: c.state,
    agentId: c.agentId,
    offerId: c.offerId,
    connectedAtMs: c.connectedAtMs,
    nextStepAtMs: c.nextStepAtMs,
    wrapUpEndsAtMs: c.wrapUpEndsAtMs,
    waiting: c.group !== null,
  }));
  return {
    formatVersion: 1,
    nowMs: core.nowMs,
    options,
    routing: core.routing.source,
    counters: { contactSeq: core.contactSeq, readySeq: core.readySeq, offerSeq: core.offerSeq },
    agents,
    contacts,
    offers: [...core.offers.values()],
    timers: core.timers.toJSON(),
    history: core.history.toJSON(),
    ahtMs: [...core.ahtMs],
    listInserts: [...core.index.families.values()]
      .map((f) => [f.key, f.inserts] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    noMatch: core.cache.toJSON(),
    pendingEffects: core.pending,
  };
}

export function restoreCore(
  snapshot: RouterSnapshot,
  strategy: "indexed" | "naive-scan",
): EngineCore {
  if (snapshot?.formatVersion !== 1) throw invalid("snapshot.formatVersion must be 1");
  const s = structuredClone(snapshot);
  const core = new EngineCore(
    normalizeOptions({ ...s.options, strategy }),
    normalizeRouting(s.routing),
  );
  core.nowMs = s.nowMs;
  for (const a of s.agents) {
    const profile = normalizeAgent(a.profile, core.options.weightsMilli);
    const rec: AgentRecord = {
      id: profile.id,
      source: a.profile,
      profile,
      presence: a.presence,
      loadMilli: a.loadMilli,
      voiceCount: a.voiceCount,
      held: new Map(a.held),
      consecutiveMisses: a.consecutiveMisses,
      state: a.state,
      stateSinceMs: a.stateSinceMs,
      readySeq: [...a.readySeq],
      readySinceMs: [...a.readySinceMs],
      nodes: [],
      stamp: 0,
      levels: NO_LEVELS,
      tag: 0,
    };
    core.agents.set(rec.id, rec);
    if (rec.presence === "AVAILABLE") core.countStaffed(rec, 1);
    if (core.options.indexed) core.index.buildNodes(rec);
  }
  if (core.options.indexed) {
    const ready: [AgentRecord, number, number][] = [];
    for (const a of core.agents.values()) {
      a.readySeq.forEach((seq, ch) => {
        if (seq !== 0) ready.push([a, ch, seq]);
      });
    }
    ready.sort((x, y) => x[2] - y[2]);
    for (const [a, ch] of ready) core.index.link(a, ch);
  }
  for (const [key, inserts] of s.listInserts) core.index.family(key).inserts = inserts;
  for (const cs of s.contacts) {
    const n = normalizeContact(cs.input);
    // Same fields in the same order as submitContact builds them: one object shape for every
    // contact, so a restored engine's hot paths stay monomorphic (a spread of the snapshot
    // gave restored contacts another shape and made the engine measurably slower).
    const c: ContactRecord = {
      id: n.id,
      input: cs.input,
      history: cs.history,
      c: n,
      ruleId: cs.ruleId,
      queueId: cs.queueId,
      step: cs.step,
      phase: cs.phase,
      phaseEndsAtMs: cs.phaseEndsAtMs,
      preferredAgentId: cs.preferredAgentId,
      targetAgentId: cs.targetAgentId,
      priority: cs.priority,
      repeat: cs.repeat,
      firstEnqueuedAtMs: cs.firstEnqueuedAtMs,
      queuedAtMs: cs.queuedAtMs,
      seq: cs.seq,
      atHead: cs.atHead,
      excluded: cs.excluded.length === 0 ? NONE_EXCLUDED : new Set(cs.excluded),
      state: cs.state,
      agentId: cs.agentId,
      offerId: cs.offerId,
      connectedAtMs: cs.connectedAtMs,
      nextStepAtMs: cs.nextStepAtMs,
      wrapUpEndsAtMs: cs.wrapUpEndsAtMs,
      req: computeRequirement(n, core.queue(cs.queueId), cs.step, cs),
      effBase: 0,
      agingIntervalMs: 0,
      staticKey: 0,
      group: null,
      heapIndex: -1,
    };
    setQueueKeys(core, c);
    refreshRequirement(core, c);
    core.contacts.set(c.id, c);
    if (cs.waiting) core.waiting.add(c);
  }
  for (const o of s.offers) core.offers.set(o.offerId, o);
  core.timers = TimerHeap.from(s.timers);
  core.history.restore(s.history);
  for (const [q, ms] of s.ahtMs) core.ahtMs.set(q, ms);
  core.cache.restore(s.noMatch, (key) => core.index.family(key));
  core.contactSeq = s.counters.contactSeq;
  core.readySeq = s.counters.readySeq;
  core.offerSeq = s.counters.offerSeq;
  core.pending = [...s.pendingEffects];
  return core;
}
