/**
 * Contact lifecycle: submit → (offer → accept | reject | expiry)* → connected → wrap-up →
 * completed, with transfer and cancel on the side. Every function validates before it
 * mutates, so a rejected command leaves the state untouched.
 *
 * Complexity ("+ routing" = matching.ts's costs for the offer or re-route that follows; t = the
 * agent's ready-list tags; s = required skills): submitContact O(s + rules + history) +
 * routing; acceptOffer O(h) for the agent's h held contacts (its derived state); rejectOffer
 * and expiry O(t + log W) + routing both ways; startWrapUp O(log T); completeContact O(t) +
 * routing of the freed agent; transferContact and cancelContact O(log W + s) + routing.
 */

import { choosePhase, endPhase, settle } from "./contact-placement.js";
import type { RouterEffect } from "./decision.js";
import type { ContactInput, ContactOutcome, CustomerHistory } from "./domain.js";
import { failedConstraint } from "./eligibility.js";
import type { EngineCore } from "./engine-core.js";
import { invalid, notFound, precondition, RouterError } from "./errors.js";
import { resolveHistory } from "./history.js";
import { routeAgent, routeContact } from "./matching.js";
import {
  type ContactRecord,
  excludeAgent,
  NONE_EXCLUDED,
  type OfferRecord,
  unexcludeAgent,
} from "./records.js";
import { computeRequirement, type Requirement } from "./requirements.js";
import { matchRule } from "./rules.js";
import {
  copyContactInput,
  copyHistory,
  normalizeContact,
  validateHistory,
} from "./validate-contact.js";
import { checkId, checkInt } from "./validate-util.js";

/** Placeholder until settle() computes the real requirement, a few lines later. */
const PENDING_REQUIREMENT: Requirement = {
  channel: 0,
  skills: [],
  complexity: 1,
  language: null,
  intermediaryKind: null,
  intermediaryId: null,
  teams: null,
  accountOnly: null,
  agentOnly: null,
  signature: "",
};

export function submitContact(
  core: EngineCore,
  input: ContactInput,
  history: CustomerHistory | undefined,
  nowMs: number,
  effects: RouterEffect[],
): void {
  const n = normalizeContact(input);
  validateHistory(history);
  if (core.contacts.has(n.id)) throw new RouterError("ALREADY_EXISTS", `contact ${n.id} exists`);
  const chosen =
    input.queueId !== undefined && core.routing.queues.has(input.queueId) ? input.queueId : null;
  const rule = chosen === null ? matchRule(core.routing.rules, input, n) : null;
  const queueId = chosen ?? rule?.queueId ?? core.routing.defaultQueueId;
  const q = core.queue(queueId);
  const h = resolveHistory(
    history ?? null,
    core.history.get(n.customerId),
    core.options,
    q.preferredAgentWindowMs,
    nowMs,
  );
  const c: ContactRecord = {
    id: n.id,
    input: copyContactInput(input),
    history: history === undefined ? null : copyHistory(history),
    c: n,
    ruleId: chosen !== null ? "submitter" : (rule?.id ?? "default"),
    queueId,
    step: 0,
    phase: "OPEN",
    phaseEndsAtMs: 0,
    preferredAgentId: h.preferredAgentId,
    targetAgentId: null,
    priority: n.priority + h.priorityBoost,
    repeat: h.repeat,
    firstEnqueuedAtMs: nowMs,
    queuedAtMs: nowMs,
    seq: ++core.contactSeq,
    atHead: false,
    excluded: NONE_EXCLUDED,
    state: "WAITING",
    agentId: null,
    offerId: null,
    connectedAtMs: 0,
    nextStepAtMs: 0,
    wrapUpEndsAtMs: 0,
    req: PENDING_REQUIREMENT,
    effBase: 0,
    agingIntervalMs: 0,
    staticKey: 0,
    group: null,
    heapIndex: -1,
  };
  core.contacts.set(c.id, c);
  choosePhase(core, c, nowMs, false);
  settle(core, c, nowMs, effects);
  routeContact(core, c, nowMs, effects);
}

export function liveOffer(core: EngineCore, offerId: string, version: number): OfferRecord {
  checkId(offerId, "offerId");
  checkInt(version, "version", 1, Number.MAX_SAFE_INTEGER);
  const offer = core.offers.get(offerId);
  if (offer === undefined) throw notFound(`offer ${offerId} is not live`);
  if (offer.version !== version) {
    throw precondition(`offer ${offerId} has version ${offer.version}, not ${version}`);
  }
  return offer;
}

export function acceptOffer(
  core: EngineCore,
  offerId: string,
  version: number,
  nowMs: number,
  effects: RouterEffect[],
): void {
  const offer = liveOffer(core, offerId, version);
  const c = core.contacts.get(offer.contactId) as ContactRecord;
  const agent = core.agents.get(offer.agentId);
  core.offers.delete(offerId);
  c.state = "CONNECTED";
  c.offerId = null;
  c.connectedAtMs = nowMs;
  effects.push({
    type: "CONTACT_CONNECTED",
    atMs: nowMs,
    contactId: c.id,
    agentId: offer.agentId,
    offerId,
  });
  if (agent !== undefined) {
    agent.consecutiveMisses = 0;
    core.updateState(agent, nowMs, "WORKLOAD", effects);
  }
}

/** Reject or expiry: the contact goes back to the head of its queue, never to this agent. */
export function endOffer(
  core: EngineCore,
  offer: OfferRecord,
  how: "OFFER_REJECTED" | "OFFER_EXPIRED",
  nowMs: number,
  effects: RouterEffect[],
): void {
  const c = core.contacts.get(offer.contactId) as ContactRecord;
  const agent = core.agents.get(offer.agentId);
  core.offers.delete(offer.offerId);
  effects.push({
    type: how,
    atMs: nowMs,
    offerId: offer.offerId,
    contactId: c.id,
    agentId: offer.agentId,
  });
  c.state = "WAITING";
  c.agentId = null;
  c.offerId = null;
  c.atHead = true;
  excludeAgent(c, offer.agentId);
  if (agent !== undefined) {
    core.release(agent, c);
    agent.consecutiveMisses = how === "OFFER_EXPIRED" ? agent.consecutiveMisses + 1 : 0;
    if (agent.consecutiveMisses >= core.options.maxConsecutiveMisses) {
      core.countStaffed(agent, -1);
      agent.presence = "AWAY";
      agent.consecutiveMisses = 0;
      core.refreshReadiness(agent, nowMs, false);
      core.updateState(agent, nowMs, "MISSED_OFFERS", effects);
    }
  }
  if (c.req.agentOnly === offer.agentId) endPhase(core, c, nowMs, effects);
  settle(core, c, nowMs, effects);
  routeContact(core, c, nowMs, effects);
  if (agent !== undefined) freeAgent(core, agent, nowMs, effects);
}

/** After an agent's load went down: new ready position, state, and work if any waits. */
export function freeAgent(
  core: EngineCore,
  agent: import("./records.js").AgentRecord,
  nowMs: number,
  effects: RouterEffect[],
) {
  core.refreshReadiness(agent, nowMs, false);
  core.updateState(agent, nowMs, "WORKLOAD", effects);
  routeAgent(core, agent, nowMs, effects);
}

function liveContact(core: EngineCore, contactId: string): ContactRecord {
  checkId(contactId, "contactId");
  const c = core.contacts.get(contactId);
  if (c === undefined) throw notFound(`contact ${contactId} is not live`);
  return c;
}

export function startWrapUp(
  core: EngineCore,
  contactId: string,
  nowMs: number,
  effects: RouterEffect[],
) {
  const c = liveContact(core, contactId);
  if (c.state !== "CONNECTED")
    throw precondition(`contact ${contactId} is ${c.state}, not CONNECTED`);
  const q = core.queue(c.queueId);
  c.state = "WRAP_UP";
  c.wrapUpEndsAtMs = nowMs + q.wrapUpMs;
  const agentId = c.agentId as string;
  effects.push({
    type: "CONTACT_WRAP_UP",
    atMs: nowMs,
    contactId,
    agentId,
    wrapUpEndsAtMs: c.wrapUpEndsAtMs,
  });
  const agent = core.agents.get(agentId);
  if (agent !== undefined) core.updateState(agent, nowMs, "WORKLOAD", effects);
  if (q.wrapUpMs === 0) finish(core, c, null, "WRAP_UP_ELAPSED", nowMs, effects);
  else core.timers.schedule(c.wrapUpEndsAtMs, "WRAP_UP_END", c.id);
}

export function validateOutcome(outcome: ContactOutcome | undefined): void {
  if (outcome === undefined) return;
  if (typeof outcome !== "object" || outcome === null) throw invalid("outcome must be an object");
  if (outcome.csat !== undefined) checkInt(outcome.csat, "outcome.csat", 1, 5);
  if (outcome.resolved !== undefined && typeof outcome.resolved !== "boolean") {
    throw invalid("outcome.resolved must be a boolean");
  }
  if (outcome.code !== undefined) checkId(outcome.code, "outcome.code");
}

export function completeContact(
  core: EngineCore,
  contactId: string,
  outcome: ContactOutcome | undefined,
  nowMs: number,
  effects: RouterEffect[],
): void {
  const c = liveContact(core, contactId);
  validateOutcome(outcome);
  if (c.state !== "CONNECTED" && c.state !== "WRAP_UP") {
    throw precondition(
      `contact ${contactId} is ${c.state}; only CONNECTED or WRAP_UP can complete`,
    );
  }
  finish(core, c, outcome === undefined ? null : { ...outcome }, "COMPLETED", nowMs, effects);
}

export function finish(
  core: EngineCore,
  c: ContactRecord,
  outcome: ContactOutcome | null,
  reason: "COMPLETED" | "WRAP_UP_ELAPSED",
  nowMs: number,
  effects: RouterEffect[],
): void {
  const agentId = c.agentId as string;
  core.contacts.delete(c.id);
  if (c.c.customerId !== null)
    core.history.record(c.c.customerId, { agentId, endedAtMs: nowMs, outcome });
  const handled = nowMs - c.connectedAtMs;
  const prev = core.ahtMs.get(c.queueId) ?? core.options.defaultHandleMs;
  core.ahtMs.set(c.queueId, Math.round(prev * 0.9 + handled * 0.1));
  effects.push({
    type: "CONTACT_COMPLETED",
    atMs: nowMs,
    contactId: c.id,
    agentId,
    outcome,
    reason,
  });
  const agent = core.agents.get(agentId);
  if (agent !== undefined) {
    core.release(agent, c);
    freeAgent(core, agent, nowMs, effects);
  }
}

export type TransferTarget = { readonly queueId: string } | { readonly agentId: string };

export function transferContact(
  core: EngineCore,
  contactId: string,
  target: TransferTarget,
  nowMs: number,
  effects: RouterEffect[],
): void {
  const c = liveContact(core, contactId);
  if (typeof target !== "object" || target === null) throw invalid("target must be an object");
  if (c.state === "OFFERED")
    throw precondition(`contact ${contactId} has a live offer; cancel or answer it first`);
  const toAgentId = "agentId" in target ? checkId(target.agentId, "target.agentId") : null;
  const toQueueId = "queueId" in target ? checkId(target.queueId, "target.queueId") : c.queueId;
  if (!core.routing.queues.has(toQueueId)) throw notFound(`queue ${toQueueId} is not configured`);
  if (toAgentId !== null) {
    const a = core.agents.get(toAgentId);
    if (a === undefined) throw notFound(`agent ${toAgentId} does not exist`);
    const req = computeRequirement(c.c, core.queue(c.queueId), c.step, {
      phase: "TARGETED",
      preferredAgentId: null,
      targetAgentId: toAgentId,
    });
    const failed = failedConstraint(a.profile, req);
    if (failed !== null)
      throw precondition(`agent ${toAgentId} cannot take contact ${contactId}: ${failed}`);
    if (toAgentId === c.agentId)
      throw precondition(`contact ${contactId} is already with ${toAgentId}`);
  }
  const fromAgentId = c.agentId;
  // Whoever hands a contact on is not offered it straight back (a transfer means "someone
  // else"). This also keeps the indexed and the naive search equal: the releasing agent's
  // capacity is freed before routeContact, but it re-enters the ready lists only afterwards.
  if (fromAgentId !== null) excludeAgent(c, fromAgentId);
  if (c.state === "WAITING") core.waiting.remove(c);
  c.state = "WAITING";
  c.agentId = null;
  c.wrapUpEndsAtMs = 0;
  if (toAgentId !== null) {
    c.phase = "TARGETED";
    c.phaseEndsAtMs = 0;
    c.targetAgentId = toAgentId;
    unexcludeAgent(c, toAgentId);
  } else {
    c.queueId = toQueueId;
    c.queuedAtMs = nowMs;
    c.step = 0;
    c.phase = "OPEN";
    c.phaseEndsAtMs = 0;
    c.targetAgentId = null;
  }
  effects.push({
    type: "CONTACT_TRANSFERRED",
    atMs: nowMs,
    contactId,
    fromAgentId,
    toQueueId: c.queueId,
    toAgentId,
  });
  const from = fromAgentId === null ? undefined : core.agents.get(fromAgentId);
  if (from !== undefined) core.release(from, c);
  settle(core, c, nowMs, effects);
  routeContact(core, c, nowMs, effects);
  if (from !== undefined) freeAgent(core, from, nowMs, effects);
}

export function cancelContact(
  core: EngineCore,
  contactId: string,
  reason: "CANCELLED" | "ABANDONED",
  nowMs: number,
  effects: RouterEffect[],
): void {
  const c = liveContact(core, contactId);
  if (reason !== "CANCELLED" && reason !== "ABANDONED")
    throw invalid("reason must be CANCELLED or ABANDONED");
  if (c.state === "CONNECTED" || c.state === "WRAP_UP") {
    throw precondition(`contact ${contactId} is ${c.state}; complete it instead`);
  }
  core.contacts.delete(c.id);
  if (c.state === "WAITING") core.waiting.remove(c);
  const offer = c.offerId === null ? undefined : core.offers.get(c.offerId);
  if (offer !== undefined) {
    core.offers.delete(offer.offerId);
    effects.push({
      type: "OFFER_CANCELLED",
      atMs: nowMs,
      offerId: offer.offerId,
      contactId,
      agentId: offer.agentId,
      reason: "CONTACT_ENDED",
    });
  }
  effects.push({ type: "CONTACT_ENDED", atMs: nowMs, contactId, reason });
  const agent = offer === undefined ? undefined : core.agents.get(offer.agentId);
  if (agent !== undefined) {
    core.release(agent, c);
    freeAgent(core, agent, nowMs, effects);
  }
}
