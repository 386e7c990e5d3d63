/**
 * Remembers "no eligible agent" per requirement signature. A new eligible agent can only
 * appear by being appended to the ready lists of ALL its tags on that channel (profile
 * changes re-append too), so an entry stays true while at least one of its families — the
 * required skills, the language, the account team — has had no append since. Insertion-ordered
 * with oldest-first eviction, so behaviour is deterministic.
 *
 * Complexity: get O(f) (f = families of the signature, 1–4), set O(f), eviction O(1).
 */
import type { Exclusion } from "./decision.js";
import type { ListFamily } from "./ready-list.js";

export interface NoMatchEntry {
  readonly families: readonly ListFamily[];
  readonly counts: readonly number[];
  readonly considered: number;
  readonly exclusions: readonly Exclusion[];
}

export interface NoMatchEntryData {
  readonly signature: string;
  readonly familyKeys: readonly string[];
  readonly counts: readonly number[];
  readonly considered: number;
  readonly exclusions: readonly Exclusion[];
}

export class NoMatchCache {
  private readonly entries = new Map<string, NoMatchEntry>();

  constructor(private readonly capacity: number) {}

  get(signature: string): NoMatchEntry | undefined {
    const e = this.entries.get(signature);
    if (e === undefined) return undefined;
    for (let i = 0; i < e.families.length; i++) {
      if ((e.families[i] as ListFamily).inserts === e.counts[i]) return e;
    }
    this.entries.delete(signature);
    return undefined;
  }

  set(signature: string, entry: NoMatchEntry): void {
    if (this.capacity === 0 || entry.families.length === 0) return;
    this.entries.delete(signature);
    // Dropped whole when full: evicting the oldest key one by one is O(holes) on a V8 Map.
    if (this.entries.size >= this.capacity) this.entries.clear();
    this.entries.set(signature, entry);
  }

  toJSON(): NoMatchEntryData[] {
    return [...this.entries].map(([signature, e]) => ({
      signature,
      familyKeys: e.families.map((f) => f.key),
      counts: [...e.counts],
      considered: e.considered,
      exclusions: e.exclusions.map((x) => ({ ...x })),
    }));
  }

  restore(data: readonly NoMatchEntryData[], family: (key: string) => ListFamily): void {
    for (const d of data) {
      this.entries.set(d.signature, {
        families: d.familyKeys.map(family),
        counts: [...d.counts],
        considered: d.considered,
        exclusions: d.exclusions.map((x) => ({ ...x })),
      });
    }
  }
}
