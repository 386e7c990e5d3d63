/**
 * Customer history: what the caller passes in with the contact, merged with the completions the
 * engine recorded itself. Bounded: at most 5 entries per customer and `historyCapacity`
 * customers, least recently completed evicted first.
 *
 * Complexity: record and get O(1) amortized (plus the id's length, hashed for the generations'
 * filters), resolve O(h) for h history entries (≤ 5 + given).
 */
import type { ContactOutcome, CustomerHistory, PastAgent } from "./domain.js";

export interface HistoryEntry {
  readonly agentId: string;
  readonly endedAtMs: number;
  readonly outcome: ContactOutcome | null;
}

export interface HistoryView {
  readonly preferredAgentId: string | null;
  readonly repeat: boolean;
  readonly priorityBoost: number;
}

/** The engine options resolveHistory reads (the preferred-agent window is per queue). */
export interface HistoryPolicy {
  readonly repeatWindowMs: number;
  readonly repeatPriorityBoost: number;
  readonly loyaltyPriority: Readonly<Record<string, number>>;
}

const PER_CUSTOMER = 5;

/** What `get` returns for a customer without entries (shared, never mutated). */
const NO_ENTRIES: readonly HistoryEntry[] = Object.freeze([]);

/** Filter bits per customer a generation holds (one hash: ~6% false positives when full). */
const FILTER_BITS_PER_ENTRY = 16;
const MIN_FILTER_BITS = 1 << 10;
/** 1 MiB per generation at most: a larger store keeps working, with more false positives. */
const MAX_FILTER_BITS = 1 << 23;

/**
 * Two generations instead of evicting the Map's oldest key one by one: V8 leaves holes at a
 * Map's head after deletes, so "delete the first key" degrades to O(holes). When the young
 * generation is full the old one is dropped whole; a customer seen again moves to the young one.
 *
 * Each generation also has a one-hash Bloom filter of its customers: most lookups are for
 * customers a generation does not hold (new customers, long-forgotten ones, the old generation
 * of a young customer), and a clear bit proves it without probing the generation's Map — a
 * large Map, where a probe costs a few cache misses. No false negatives: a customer's bit is
 * set when it enters a generation and stays set until that generation is dropped.
 */
export class HistoryStore {
  private old = new Map<string, HistoryEntry[]>();
  private young = new Map<string, HistoryEntry[]>();
  private oldFilter: Int32Array;
  private youngFilter: Int32Array;
  /** Filter size in bits, minus one (a power of two). */
  private readonly filterMask: number;

  constructor(private readonly capacity: number) {
    let bits = MIN_FILTER_BITS;
    while (bits < MAX_FILTER_BITS && bits < (capacity >> 1) * FILTER_BITS_PER_ENTRY) bits *= 2;
    this.filterMask = bits - 1;
    this.oldFilter = new Int32Array(bits >>> 5);
    this.youngFilter = new Int32Array(bits >>> 5);
  }

  record(customerId: string, entry: HistoryEntry): void {
    if (this.capacity === 0) return;
    const bit = hashId(customerId) & this.filterMask;
    // A customer is in at most one generation. Already young: one lookup, the list in place.
    const young = this.youngList(customerId, bit);
    const list = young ?? this.oldList(customerId, bit);
    if (young === undefined) {
      if (list !== undefined) this.old.delete(customerId);
      if (this.young.size >= Math.max(1, this.capacity >> 1)) {
        this.old = this.young;
        this.young = new Map();
        const dropped = this.oldFilter;
        this.oldFilter = this.youngFilter;
        this.youngFilter = dropped.fill(0);
      }
      setBit(this.youngFilter, bit);
    }
    // A new exact-size list (≤ PER_CUSTOMER), not unshift into a growing one: an array grown
    // by unshift keeps ~17 slots, for up to `capacity` customers.
    const n = list === undefined ? 0 : Math.min(list.length, PER_CUSTOMER - 1);
    const next = new Array<HistoryEntry>(n + 1);
    next[0] = entry;
    for (let i = 0; i < n; i++) next[i + 1] = (list as HistoryEntry[])[i] as HistoryEntry;
    this.young.set(customerId, next);
  }

  get(customerId: string | null): readonly HistoryEntry[] {
    if (customerId === null) return NO_ENTRIES;
    const bit = hashId(customerId) & this.filterMask;
    return this.youngList(customerId, bit) ?? this.oldList(customerId, bit) ?? NO_ENTRIES;
  }

  /** The customer's list in a generation; its filter is asked first (`bit`: the id's bit). */
  private youngList(customerId: string, bit: number): HistoryEntry[] | undefined {
    return hasBit(this.youngFilter, bit) ? this.young.get(customerId) : undefined;
  }

  private oldList(customerId: string, bit: number): HistoryEntry[] | undefined {
    return hasBit(this.oldFilter, bit) ? this.old.get(customerId) : undefined;
  }

  toJSON(): { old: [string, HistoryEntry[]][]; young: [string, HistoryEntry[]][] } {
    const dump = (m: Map<string, HistoryEntry[]>) =>
      [...m].map(([k, v]) => [k, v.map((e) => ({ ...e }))] as [string, HistoryEntry[]]);
    return { old: dump(this.old), young: dump(this.young) };
  }

  restore(data: {
    readonly old: readonly [string, readonly HistoryEntry[]][];
    readonly young: readonly [string, readonly HistoryEntry[]][];
  }): void {
    for (const [k, v] of data.old) {
      this.old.set(
        k,
        v.map((e) => ({ ...e })),
      );
      setBit(this.oldFilter, hashId(k) & this.filterMask);
    }
    for (const [k, v] of data.young) {
      this.young.set(
        k,
        v.map((e) => ({ ...e })),
      );
      setBit(this.youngFilter, hashId(k) & this.filterMask);
    }
  }
}

/** FNV-1a over the id's UTF-16 code units. O(length). */
function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function hasBit(filter: Int32Array, bit: number): boolean {
  return ((filter[bit >>> 5] as number) & (1 << (bit & 31))) !== 0;
}

function setBit(filter: Int32Array, bit: number): void {
  filter[bit >>> 5] = (filter[bit >>> 5] as number) | (1 << (bit & 31));
}

/**
 * Preferred agent: the open case owner, else the most recent past agent within the window.
 * Repeat: flagged upstream, or the previous contact ended within the repeat window.
 */
export function resolveHistory(
  given: CustomerHistory | null,
  recorded: readonly HistoryEntry[],
  policy: HistoryPolicy,
  windowMs: number,
  nowMs: number,
): HistoryView {
  // Most contacts come without any history: one shared answer, nothing allocated.
  if (given === null && recorded.length === 0) return NO_HISTORY;
  let lastEnded = given?.lastContactEndedAtMs ?? -1;
  let latestId: string | null = null;
  let latestEnded = 0;
  // Plain loops rather than a closure per call: this runs on every submit with history.
  const past = given?.lastAgents;
  const n = (past?.length ?? 0) + recorded.length;
  for (let i = 0; i < n; i++) {
    const g = past?.length ?? 0;
    const e = i < g ? (past as readonly PastAgent[])[i] : recorded[i - g];
    if (e === undefined) continue;
    const endedAtMs = e.endedAtMs;
    if (endedAtMs > lastEnded) lastEnded = endedAtMs;
    if (endedAtMs > nowMs || nowMs - endedAtMs > windowMs) continue;
    if (latestId === null || endedAtMs > latestEnded) {
      latestId = e.agentId;
      latestEnded = endedAtMs;
    }
  }
  const preferredAgentId = given?.openCaseOwnerAgentId ?? latestId;
  const repeat =
    given?.repeat === true ||
    (lastEnded >= 0 && lastEnded <= nowMs && nowMs - lastEnded <= policy.repeatWindowMs);
  const tier = given?.loyaltyTier;
  const loyalty = tier === undefined ? 0 : (policy.loyaltyPriority[tier] ?? 0);
  return {
    preferredAgentId,
    repeat,
    priorityBoost: loyalty + (repeat ? policy.repeatPriorityBoost : 0),
  };
}

const NO_HISTORY: HistoryView = { preferredAgentId: null, repeat: false, priorityBoost: 0 };
