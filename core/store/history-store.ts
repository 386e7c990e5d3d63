import type { Channel } from "./channel.js";

/** One finished contact of a customer. */
export interface HistoryEntry {
  readonly contactId: string;
  readonly channel: Channel;
  readonly queueId: string;
  readonly agentId: string;
  /** Free-form disposition, e.g. "resolved", "callback", "abandoned". */
  readonly outcome: string;
  readonly completedAtMs: number;
  /** 1–5 when the customer answered the survey. */
  readonly csat?: number;
}

export interface OpenCase {
  readonly caseId: string;
  readonly ownerAgentId: string;
}

export interface LastAgent {
  readonly agentId: string;
  readonly lastContactMs: number;
}

export interface CustomerHistory {
  /** The id the history is kept under (a merged-away id redirects to its survivor). */
  readonly customerId: string;
  /** Newest first, at most `historyLimit`. */
  readonly contacts: readonly HistoryEntry[];
  /** Newest first, distinct agents, at most `lastAgentsLimit`. */
  readonly lastAgents: readonly LastAgent[];
  readonly openCase?: OpenCase;
}

export interface RecordCompletionOptions {
  /** A case now open with its owner; null closes the open case; omitted leaves it. */
  readonly openCase?: OpenCase | null;
}

export interface HistoryStore {
  /** Idempotent per contactId: recording the same contact again replaces its entry. */
  recordCompletion(
    customerId: string,
    entry: HistoryEntry,
    options?: RecordCompletionOptions,
  ): Promise<void>;
  /** Empty history for a customer never seen. */
  getHistory(customerId: string): Promise<CustomerHistory>;
}
