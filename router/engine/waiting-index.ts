/**
 * Waiting contacts, grouped by (queue, requirement signature). Each group is a heap in the
 * queue's service order, and groups are filed under (channel, canonical skill) — the
 * alphabetically first required skill — so a freed agent only visits groups whose first skill
 * it actually has. Groups reserved for one agent (PREFERRED_AGENT / TARGETED phase, where every
 * contact has its own signature) are filed under (channel, that agent) instead: a freed agent
 * visits only its own, not every other agent's reserved contacts that share its skills.
 *
 * Complexity: add / remove O(log g) (g = group size) plus O(1) map work plus the queue's
 * RankList update (rank-list.ts, O(log W + B + W/B) for W waiting in the queue); a freed agent
 * visits the groups filed under its skills on its free channels, O(1) each to peek; a queue
 * position is a RankList rank, O(log W + W/B), not a scan of the queue; the contacts reserved
 * for one agent O(r) for r of them.
 */
import type { AgentIndex } from "./agent-index.js";
import { QUEUE_KEY_WIDTH, queueKey, servedBeforeInQueue } from "./contact-order.js";
import { CHANNELS } from "./domain.js";
import { IndexedHeap } from "./indexed-heap.js";
import { RankList } from "./rank-list.js";
import type { ContactRecord, WaitGroup } from "./records.js";

export class WaitingIndex {
  /** Per channel: canonical skill ("" = none) → group key → group (open groups). */
  readonly byChannel: Map<string, Map<string, WaitGroup>>[] = CHANNELS.map(() => new Map());
  /** Per channel: agent id → group key → group (groups reserved for that agent). */
  readonly reserved: Map<string, Map<string, WaitGroup>>[] = CHANNELS.map(() => new Map());
  /** Every waiting contact, in the order it started waiting (naive scan, positions). */
  readonly all = new Set<ContactRecord>();
  /** Per queue, its waiting contacts in service order: positions by rank, not by a scan. */
  readonly byQueue = new Map<string, RankList<ContactRecord>>();

  /** Skill and language ids for the groups' tag tests. */
  constructor(private readonly index: AgentIndex) {}

  get size(): number {
    return this.all.size;
  }

  /** 1 = next in its queue; `c` must be waiting. */
  position(c: ContactRecord): number {
    return (this.byQueue.get(c.queueId)?.rank(c) ?? 0) + 1;
  }

  /** Files a waiting contact; returns its position (1 = next in its queue). */
  add(c: ContactRecord): number {
    const req = c.req;
    const canonical = req.agentOnly ?? req.skills[0]?.skill ?? "";
    const buckets = this.bucketsOf(req);
    let bucket = buckets.get(canonical);
    if (bucket === undefined) {
      bucket = new Map();
      buckets.set(canonical, bucket);
    }
    const key = `${c.queueId}\u0000${req.signature}`;
    let group = bucket.get(key);
    if (group === undefined) {
      group = {
        key,
        queueId: c.queueId,
        canonical,
        req,
        heap: new IndexedHeap(servedBeforeInQueue),
        // Ids known when the group forms; a skill first seen later only weakens the test.
        needBits: this.index.needBits(req.skills, req.language),
        minTier: req.complexity,
      };
      bucket.set(key, group);
    }
    group.heap.push(c);
    c.group = group;
    this.all.add(c);
    let q = this.byQueue.get(c.queueId);
    if (q === undefined) {
      q = new RankList(QUEUE_KEY_WIDTH, queueKey);
      this.byQueue.set(c.queueId, q);
    }
    return q.insert(c) + 1;
  }

  /** The contacts waiting for this agent only (PREFERRED_AGENT / TARGETED), on any channel. */
  reservedFor(agentId: string): ContactRecord[] {
    const out: ContactRecord[] = [];
    for (const byAgent of this.reserved) {
      for (const group of byAgent.get(agentId)?.values() ?? []) out.push(...group.heap.items);
    }
    return out;
  }

  private bucketsOf(req: WaitGroup["req"]): Map<string, Map<string, WaitGroup>> {
    const byKey = req.agentOnly === null ? this.byChannel : this.reserved;
    return byKey[req.channel] as Map<string, Map<string, WaitGroup>>;
  }

  remove(c: ContactRecord): void {
    const group = c.group;
    if (group === null) return;
    group.heap.remove(c);
    c.group = null;
    if (group.heap.size === 0) {
      const buckets = this.bucketsOf(group.req);
      const bucket = buckets.get(group.canonical);
      bucket?.delete(group.key);
      if (bucket?.size === 0) buckets.delete(group.canonical);
    }
    this.all.delete(c);
    const q = this.byQueue.get(c.queueId);
    q?.remove(c);
    if (q?.size === 0) this.byQueue.delete(c.queueId);
  }
}
