/**
 * Customer history: what the caller passes in with the contact, merged with the completions the
 * engine recorded itself. Bounded: at most 5 entries per customer and `historyCapacity`
 * customers, least recently completed evicted first.
 *
 * Complexity: record O(1) amortized, resolve O(h) for h history entries (≤ 5 + given).
 */
import type { ContactOutcome, CustomerHistory } from "./domain.js";

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

export interface HistoryPolicy {
  readonly preferredAgentWindowMs: number;
  readonly repeatWindowMs: number;
  readonly repeatPriorityBoost: number;
  readonly loyaltyPriority: Readonly<Record<string, number>>;
}

const PER_CUSTOMER = 5;

export class HistoryStore {
  private readonly byCustomer = new Map<string, HistoryEntry[]>();

  constructor(private readonly capacity: number) {}

  record(customerId: string, entry: HistoryEntry): void {
    if (this.capacity === 0) return;
    const list = this.byCustomer.get(customerId) ?? [];
    this.byCustomer.delete(customerId);
    list.unshift(entry);
    if (list.length > PER_CUSTOMER) list.length = PER_CUSTOMER;
    if (this.byCustomer.size >= this.capacity) {
      const oldest = this.byCustomer.keys().next();
      if (oldest.done !== true) this.byCustomer.delete(oldest.value);
    }
    this.byCustomer.set(customerId, list);
  }

  get(customerId: string | null): readonly HistoryEntry[] {
    return customerId === null ? [] : (this.byCustomer.get(customerId) ?? []);
  }

  toJSON(): [string, HistoryEntry[]][] {
    return [...this.byCustomer].map(([k, v]) => [k, v.map((e) => ({ ...e }))]);
  }

  restore(data: readonly (readonly [string, readonly HistoryEntry[]])[]): void {
    for (const [k, v] of data)
      this.byCustomer.set(
        k,
        v.map((e) => ({ ...e })),
      );
  }
}

/**
 * Preferred agent: the open case owner, else the most recent past agent within the window.
 * Repeat: flagged upstream, or the previous contact ended within the repeat window.
 */
export function resolveHistory(
  given: CustomerHistory | null,
  recorded: readonly HistoryEntry[],
  policy: HistoryPolicy,
  nowMs: number,
): HistoryView {
  let lastEnded = given?.lastContactEndedAtMs ?? -1;
  let latest: { agentId: string; endedAtMs: number } | null = null;
  const consider = (agentId: string, endedAtMs: number) => {
    if (endedAtMs > lastEnded) lastEnded = endedAtMs;
    if (endedAtMs > nowMs || nowMs - endedAtMs > policy.preferredAgentWindowMs) return;
    if (latest === null || endedAtMs > latest.endedAtMs) latest = { agentId, endedAtMs };
  };
  for (const a of given?.lastAgents ?? []) consider(a.agentId, a.endedAtMs);
  for (const e of recorded) consider(e.agentId, e.endedAtMs);
  const found = latest as { agentId: string } | null;
  const preferredAgentId = given?.openCaseOwnerAgentId ?? found?.agentId ?? null;
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
