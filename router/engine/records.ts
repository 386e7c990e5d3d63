import type { ContactPhase, Offer } from "./decision.js";
import type {
  AgentPresence,
  AgentProfile,
  AgentState,
  ContactInput,
  ContactState,
  CustomerHistory,
} from "./domain.js";
import type { HeapSlot, IndexedHeap } from "./indexed-heap.js";
import type { ListNode } from "./ready-list.js";
import type { Requirement } from "./requirements.js";
import type { NormalizedAgent } from "./validate-agent.js";
import type { NormalizedContact } from "./validate-contact.js";

/** Levels of an agent the indexed search has not seen (naive strategy, before buildNodes). */
export const NO_LEVELS = new Uint8Array(0);

/**
 * Waiting contacts with one (queue, requirement signature), in service order (waiting-index.ts).
 * Declared here, not in waiting-index.ts, so that records.ts imports nothing that imports it.
 */
export interface WaitGroup {
  readonly key: string;
  readonly queueId: string;
  /** Its bucket in the waiting index: the canonical skill, or the agent it is reserved for. */
  readonly canonical: string;
  readonly req: Requirement;
  readonly heap: IndexedHeap<ContactRecord>;
  /**
   * Tag test against AgentRecord.tag (agent-index.ts): bits an agent's tag must all have, and
   * the least tier. Proves agents ineligible for the whole group without reading profiles.
   */
  readonly needBits: number;
  readonly minTier: number;
}

/** The engine's mutable view of one agent. */
export interface AgentRecord {
  readonly id: string;
  source: AgentProfile;
  profile: NormalizedAgent;
  presence: AgentPresence;
  loadMilli: number;
  voiceCount: number;
  /** Offered, connected and wrapping-up contacts → the load each holds. */
  readonly held: Map<string, number>;
  consecutiveMisses: number;
  state: AgentState;
  stateSinceMs: number;
  /** Per channel: position in the ready order (0 = not ready), and since when. */
  readonly readySeq: number[];
  readonly readySinceMs: number[];
  /** Per channel: one node per ready list the agent belongs to (indexed strategy only). */
  nodes: ListNode<AgentRecord>[][];
  /** Marks agents already scored in the current search. */
  stamp: number;
  /**
   * Proficiency by dense skill id (agent-index.ts), 0 = lacks the skill: the indexed search
   * checks skills with a typed-array read instead of a Map lookup by name.
   */
  levels: Uint8Array;
  /** The agent's node tag (agent-index.ts): tier, language bits, skill bloom; 0 until built. */
  tag: number;
}

/** The engine's mutable view of one live contact (terminal contacts are forgotten). */
export interface ContactRecord extends HeapSlot {
  readonly id: string;
  readonly input: ContactInput;
  readonly history: CustomerHistory | null;
  readonly c: NormalizedContact;
  readonly ruleId: string;
  queueId: string;
  step: number;
  phase: ContactPhase;
  /** End of the PREFERRED_AGENT / ACCOUNT_TEAM phase; 0 when none. */
  phaseEndsAtMs: number;
  preferredAgentId: string | null;
  targetAgentId: string | null;
  /** Contact priority with repeat and loyalty boosts. */
  readonly priority: number;
  readonly repeat: boolean;
  /** Waiting time for aging counts from here, across transfers and overflows. */
  readonly firstEnqueuedAtMs: number;
  /** Escalation steps count from here (entry into the current queue). */
  queuedAtMs: number;
  readonly seq: number;
  /** Returned after a reject or expiry: served before contacts never offered. */
  atHead: boolean;
  /** Agents never to be offered this contact again; NONE_EXCLUDED until the first one. */
  excluded: ReadonlySet<string>;
  state: ContactState;
  agentId: string | null;
  offerId: string | null;
  connectedAtMs: number;
  nextStepAtMs: number;
  wrapUpEndsAtMs: number;
  req: Requirement;
  /** Queue priority + contact priority; aging adds (now − firstEnqueued) / agingIntervalMs. */
  effBase: number;
  agingIntervalMs: number;
  /** Time-invariant order inside one queue (see contact-order.ts). */
  staticKey: number;
  group: WaitGroup | null;
}

/**
 * The shared empty exclusion set: most contacts never exclude anyone, so they do not each
 * carry a Set of their own (one long-lived object less per contact for the GC to copy).
 */
export const NONE_EXCLUDED: ReadonlySet<string> = new Set();

export function excludeAgent(c: ContactRecord, agentId: string): void {
  if (c.excluded === NONE_EXCLUDED) c.excluded = new Set([agentId]);
  else (c.excluded as Set<string>).add(agentId);
}

export function unexcludeAgent(c: ContactRecord, agentId: string): void {
  if (c.excluded !== NONE_EXCLUDED) (c.excluded as Set<string>).delete(agentId);
}

/** A live offer as the engine keeps it (a copy goes out in OFFER_CREATED). */
export type OfferRecord = Offer;
