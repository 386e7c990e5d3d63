/**
 * The engine's state and the small operations every command shares (agent load, readiness,
 * derived state). Commands live in contact-commands.ts, agent-commands.ts and matching.ts; this
 * file only owns the data. Not exported from the package.
 *
 * Complexity: refreshReadiness O(channels × t) for the agent's t ready-list tags (O(1) per
 * list: link, unlink or move to the tail); deriveState O(h) for its h held contacts, O(1) when
 * it is ready anywhere; hold / release O(1); countStaffed O(skills + accounts); queue O(1).
 */
import { AgentIndex } from "./agent-index.js";
import type { RouterEffect } from "./decision.js";
import type { AgentState } from "./domain.js";
import { canTake, VOICE } from "./eligibility.js";
import { RouterError } from "./errors.js";
import { HistoryStore } from "./history.js";
import { NoMatchCache } from "./no-match-cache.js";
import type { NormalizedOptions } from "./options.js";
import type { AgentRecord, ContactRecord, OfferRecord } from "./records.js";
import type { SearchContext } from "./search-types.js";
import { TimerHeap } from "./timers.js";
import type { NormalizedQueue, NormalizedRouting } from "./validate-config.js";
import { WaitingIndex } from "./waiting-index.js";

export class EngineCore implements SearchContext {
  readonly agents = new Map<string, AgentRecord>();
  readonly contacts = new Map<string, ContactRecord>();
  readonly offers = new Map<string, OfferRecord>();
  readonly index = new AgentIndex();
  readonly waiting = new WaitingIndex(this.index);
  readonly cache: NoMatchCache;
  readonly history: HistoryStore;
  readonly ahtMs = new Map<string, number>();
  /**
   * Agents with presence AVAILABLE: all, per skill and per account team (separate maps keyed by
   * the name itself, so a lookup builds no `s:<skill>` key string).
   */
  staffedAll = 0;
  readonly staffedBySkill = new Map<string, number>();
  readonly staffedByAccount = new Map<string, number>();
  timers = new TimerHeap();
  readonly capacityMilli: number;
  nowMs = 0;
  contactSeq = 0;
  readySeq = 0;
  offerSeq = 0;
  stamp = 0;
  /** Timer effects of a command that then failed validation; returned by the next call. */
  pending: RouterEffect[] = [];

  constructor(
    readonly options: NormalizedOptions,
    public routing: NormalizedRouting,
  ) {
    this.cache = new NoMatchCache(options.noMatchCacheSize);
    this.history = new HistoryStore(options.historyCapacity);
    this.capacityMilli = options.capacityMilli;
  }

  queue(id: string): NormalizedQueue {
    const q = this.routing.queues.get(id);
    if (q === undefined)
      throw new RouterError("FAILED_PRECONDITION", `queue ${id} is not configured`);
    return q;
  }

  /**
   * Keeps the agent's ready position per channel right: joins the tail when it gains room,
   * leaves when it loses it, and with `moveToTail` (it just got work) goes to the back.
   */
  refreshReadiness(agent: AgentRecord, nowMs: number, moveToTail: boolean): void {
    const indexed = this.options.indexed;
    const readySeq = agent.readySeq;
    for (let ch = 0; ch < readySeq.length; ch++) {
      const should = canTake(agent, ch, this.capacityMilli);
      if (readySeq[ch] !== 0) {
        if (!should) {
          if (indexed) this.index.unlink(agent, ch);
          readySeq[ch] = 0;
        } else if (moveToTail) {
          // Leave and rejoin at the tail in one pass over the agent's nodes.
          readySeq[ch] = ++this.readySeq;
          agent.readySinceMs[ch] = nowMs;
          if (indexed) this.index.moveToTail(agent, ch);
        }
      } else if (should) {
        readySeq[ch] = ++this.readySeq;
        agent.readySinceMs[ch] = nowMs;
        if (indexed) this.index.link(agent, ch);
      }
    }
  }

  deriveState(agent: AgentRecord): AgentState {
    if (agent.presence !== "AVAILABLE") return agent.presence;
    for (let ch = 0; ch < agent.readySeq.length; ch++)
      if (agent.readySeq[ch] !== 0) return "AVAILABLE";
    let wrapping = false;
    for (const id of agent.held.keys()) {
      const state = this.contacts.get(id)?.state;
      if (state === "OFFERED" || state === "CONNECTED") return "BUSY";
      if (state === "WRAP_UP") wrapping = true;
    }
    return wrapping ? "WRAP_UP" : "BUSY";
  }

  updateState(
    agent: AgentRecord,
    nowMs: number,
    reason: "PRESENCE" | "WORKLOAD" | "MISSED_OFFERS" | "REMOVED" | "ADDED",
    effects: RouterEffect[],
  ): void {
    const to = this.deriveState(agent);
    if (to === agent.state) return;
    effects.push({
      type: "AGENT_STATE_CHANGED",
      atMs: nowMs,
      agentId: agent.id,
      from: agent.state,
      to,
      reason,
    });
    agent.state = to;
    agent.stateSinceMs = nowMs;
  }

  hold(agent: AgentRecord, c: ContactRecord, weightMilli: number): void {
    agent.held.set(c.id, weightMilli);
    agent.loadMilli += weightMilli;
    if (c.c.channel === VOICE) agent.voiceCount++;
  }

  release(agent: AgentRecord, c: ContactRecord): void {
    const w = agent.held.get(c.id);
    if (w === undefined) return;
    agent.held.delete(c.id);
    agent.loadMilli -= w;
    if (c.c.channel === VOICE) agent.voiceCount--;
  }

  /** Staffing counts used by wait estimates and phase decisions. */
  countStaffed(agent: AgentRecord, delta: 1 | -1): void {
    this.staffedAll += delta;
    const bySkill = this.staffedBySkill;
    for (const s of agent.profile.skillNames) bySkill.set(s, (bySkill.get(s) ?? 0) + delta);
    const byAccount = this.staffedByAccount;
    for (const a of agent.profile.authAccountIds) byAccount.set(a, (byAccount.get(a) ?? 0) + delta);
  }
}
