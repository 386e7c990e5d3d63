import type { AgentIndex } from "./agent-index.js";
import type { Exclusion } from "./decision.js";
import type { NoMatchCache } from "./no-match-cache.js";
import type { AgentRecord, ContactRecord } from "./records.js";
import type { WaitingIndex } from "./waiting-index.js";

/** What a search may read (and the visit stamp it may bump). */
export interface SearchContext {
  readonly agents: ReadonlyMap<string, AgentRecord>;
  readonly index: AgentIndex;
  readonly waiting: WaitingIndex;
  readonly cache: NoMatchCache;
  readonly capacityMilli: number;
  stamp: number;
}

/**
 * No exclusions: what a search with a winner returns and every decision with a winner carries.
 * Frozen and shared: a caller mutating one effect's explanation must not change another's.
 */
export const NO_EXCLUSIONS: readonly Exclusion[] = Object.freeze([]);

export interface AgentSearchResult {
  readonly winner: AgentRecord | null;
  readonly score: number;
  /**
   * The winner's raw score terms as the search computed them (0 without a winner): its
   * proficiency margin and idle seconds, so the explanation need not look them up again.
   */
  readonly margin: number;
  readonly idleSeconds: number;
  readonly considered: number;
  readonly exclusions: readonly Exclusion[];
  readonly cached: boolean;
}

/** A search that found `winner`, with its score and raw terms, after examining `considered`. */
export function found(
  winner: AgentRecord,
  score: number,
  margin: number,
  idleSeconds: number,
  considered: number,
): AgentSearchResult {
  return {
    winner,
    score,
    margin,
    idleSeconds,
    considered,
    exclusions: NO_EXCLUSIONS,
    cached: false,
  };
}

/** A search that found nobody eligible: why (`exclusions`), after examining `considered`. */
export function noWinner(
  considered: number,
  exclusions: readonly Exclusion[],
  cached = false,
): AgentSearchResult {
  return { winner: null, score: 0, margin: 0, idleSeconds: 0, considered, exclusions, cached };
}

export interface ContactSearchResult {
  readonly contact: ContactRecord | null;
  readonly considered: number;
}

/** Counts exclusions by constraint, in first-seen order (deterministic). */
export class ExclusionTally {
  private readonly counts = new Map<string, number>();

  add(constraint: string, n = 1): void {
    if (n > 0) this.counts.set(constraint, (this.counts.get(constraint) ?? 0) + n);
  }

  toList(): Exclusion[] {
    return [...this.counts].map(([constraint, agentsExcluded]) => ({ constraint, agentsExcluded }));
  }
}
