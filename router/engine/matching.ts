/**
 * Matching in both directions and the reservation it produces. A contact that becomes
 * routable looks for the best agent now; an agent that gains room takes the best waiting
 * contacts until it is full or nothing fits. Together they keep the settled invariant: no
 * ready agent is ever left beside a waiting contact it could take.
 *
 * Complexity: routeContact = the agent search (agent-search.ts) + createOffer, or, with no
 * agent, filing in the waiting index (waiting-index.ts); routeAgent = per offer made, the
 * contact search (contact-search.ts) + createOffer; createOffer O(channels × t) (the agent's
 * ready positions, t tags) + O(log T) (its expiry timer); expectedWaitMs O(1);
 * queuePosition O(log W + W/B) (rank-list.ts).
 */
import { searchAgentIndexed } from "./agent-search.js";
import { searchContactIndexed } from "./contact-search.js";
import type { Exclusion, Offer, RouterEffect, RoutingDecision, ScoreTerm } from "./decision.js";
import { CHANNELS } from "./domain.js";
import type { EngineCore } from "./engine-core.js";
import { searchAgentNaive, searchContactNaive } from "./naive-search.js";
import type { AgentRecord, ContactRecord, OfferRecord } from "./records.js";
import { scoreOf, scoreTerms, termsOf } from "./scoring.js";
import { NO_EXCLUSIONS } from "./search-types.js";

/** The winner's reason for the usual small counts, built once instead of per decision. */
const BEST_OF: readonly string[] = Array.from({ length: 256 }, (_, n) => bestOf(n));

function bestOf(considered: number): string {
  return `best of ${considered} ready agent(s) examined`;
}

/** Routes a contact that is WAITING and not in the waiting index: offer now, or queue it. */
export function routeContact(
  core: EngineCore,
  c: ContactRecord,
  nowMs: number,
  effects: RouterEffect[],
): void {
  const w = core.queue(c.queueId).scoring;
  const r = core.options.indexed
    ? searchAgentIndexed(core, c, w, nowMs)
    : searchAgentNaive(core, c, w, nowMs);
  if (r.winner !== null) {
    const decision = baseDecision(
      c,
      nowMs,
      "CONTACT_TO_AGENT",
      r.considered,
      r.winner.id,
      r.score,
      termsOf(r.winner, c, w, r.margin, r.idleSeconds),
      NO_EXCLUSIONS,
      BEST_OF[r.considered] ?? bestOf(r.considered),
    );
    createOffer(core, c, r.winner, decision, nowMs, effects);
    return;
  }
  let top: Exclusion | null = null;
  for (const x of r.exclusions) if (top === null || x.agentsExcluded > top.agentsExcluded) top = x;
  const decision = baseDecision(
    c,
    nowMs,
    "CONTACT_TO_AGENT",
    r.considered,
    null,
    0,
    [],
    r.exclusions,
    `no eligible agent now${r.cached ? " (unchanged since last check)" : ""}` +
      (top === null ? "" : `; mostly ${top.constraint} (${top.agentsExcluded})`),
  );
  const position = core.waiting.add(c);
  effects.push({
    type: "CONTACT_QUEUED",
    atMs: nowMs,
    contactId: c.id,
    queueId: c.queueId,
    position,
    expectedWaitMs: expectedWaitMs(core, c, position),
    decision,
  });
}

/** Gives a freed agent the best waiting contacts until it is full or nothing fits. */
export function routeAgent(
  core: EngineCore,
  agent: AgentRecord,
  nowMs: number,
  effects: RouterEffect[],
): void {
  while (agent.presence === "AVAILABLE" && core.waiting.size > 0) {
    const r = core.options.indexed
      ? searchContactIndexed(core, agent, nowMs)
      : searchContactNaive(core, agent, nowMs);
    const c = r.contact;
    if (c === null) return;
    core.waiting.remove(c);
    const w = core.queue(c.queueId).scoring;
    const decision = baseDecision(
      c,
      nowMs,
      "AGENT_TO_CONTACT",
      r.considered,
      agent.id,
      scoreOf(agent, c, w, nowMs),
      scoreTerms(agent, c, w, nowMs),
      NO_EXCLUSIONS,
      `agent ${agent.id} had room; first eligible waiting contact in service order`,
    );
    createOffer(core, c, agent, decision, nowMs, effects);
  }
}

function baseDecision(
  c: ContactRecord,
  nowMs: number,
  direction: RoutingDecision["direction"],
  considered: number,
  winnerAgentId: string | null,
  score: number,
  terms: readonly ScoreTerm[],
  exclusions: readonly Exclusion[],
  reason: string,
): RoutingDecision {
  // Positional arguments instead of a spread `rest` object: one allocation per decision.
  return {
    direction,
    atMs: nowMs,
    contactId: c.id,
    channel: CHANNELS[c.c.channel] ?? "VOICE",
    ruleId: c.ruleId,
    queueId: c.queueId,
    escalationStep: c.step,
    phase: c.phase,
    candidatesConsidered: considered,
    winnerAgentId,
    score,
    scoreTerms: terms,
    exclusions,
    reason,
  };
}

function createOffer(
  core: EngineCore,
  c: ContactRecord,
  agent: AgentRecord,
  decision: RoutingDecision,
  nowMs: number,
  effects: RouterEffect[],
): void {
  const q = core.queue(c.queueId);
  const version = ++core.offerSeq;
  const offer: OfferRecord = {
    offerId: `offer-${version}`,
    version,
    contactId: c.id,
    agentId: agent.id,
    queueId: c.queueId,
    createdAtMs: nowMs,
    expiresAtMs: nowMs + q.offerTimeoutMs,
    weightMilli: agent.profile.weightsMilli[c.c.channel] ?? 1000,
  };
  core.offers.set(offer.offerId, offer);
  c.state = "OFFERED";
  c.agentId = agent.id;
  c.offerId = offer.offerId;
  core.hold(agent, c, offer.weightMilli);
  core.refreshReadiness(agent, nowMs, true);
  core.timers.schedule(offer.expiresAtMs, "OFFER_EXPIRY", offer.offerId);
  const publicOffer: Offer = {
    offerId: offer.offerId,
    version,
    contactId: offer.contactId,
    agentId: offer.agentId,
    queueId: offer.queueId,
    createdAtMs: nowMs,
    expiresAtMs: offer.expiresAtMs,
    weightMilli: offer.weightMilli,
  };
  effects.push({ type: "OFFER_CREATED", atMs: nowMs, offer: publicOffer, decision });
  core.updateState(agent, nowMs, "WORKLOAD", effects);
}

/**
 * 1 = next in its queue: a rank in the queue's order-statistics list (waiting-index.ts),
 * O(log W_q + W_q/B) instead of a scan of the W_q contacts waiting in the same queue.
 */
export function queuePosition(core: EngineCore, c: ContactRecord): number {
  return core.waiting.position(c);
}

/**
 * position × average handle time of the queue ÷ logged-in agents holding the contact's first
 * required skill (all logged-in agents when it requires none), rounded to the second.
 */
export function expectedWaitMs(core: EngineCore, c: ContactRecord, position: number): number {
  const skill = c.req.skills[0]?.skill;
  const staffed = skill === undefined ? core.staffedAll : (core.staffedBySkill.get(skill) ?? 0);
  const aht = core.ahtMs.get(c.queueId) ?? core.options.defaultHandleMs;
  return Math.round((position * aht) / Math.max(1, staffed) / 1000) * 1000;
}
