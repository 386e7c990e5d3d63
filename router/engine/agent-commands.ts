/**
 * Agent profile and presence changes, and routing reconfiguration. Each validates first, then
 * mutates, then lets the affected agent (or contacts) route.
 *
 * Complexity (t = the agent's ready-list tags, h = contacts it holds, r = contacts reserved
 * for it; "+ routing" = matching.ts's costs for each offer or re-route that follows):
 * upsertAgent O(t + h) + routing; removeAgent O(t + h + r log r) + routing (reserved contacts
 * come from the waiting index, not a scan); setPresence O(t) + routing; configure O(C log C)
 * for C live contacts (every one is re-placed); runTimers O(k log T) for k due of T timers,
 * + routing.
 */
import type { RoutingConfig } from "./config-types.js";
import { endOffer, finish, freeAgent } from "./contact-commands.js";
import { endPhase, refreshRequirement, setQueueKeys, settle } from "./contact-placement.js";
import type { RouterEffect } from "./decision.js";
import { type AgentPresence, type AgentProfile, CHANNELS } from "./domain.js";
import { failedConstraint } from "./eligibility.js";
import type { EngineCore } from "./engine-core.js";
import { invalid, notFound, precondition } from "./errors.js";
import { routeContact } from "./matching.js";
import { type AgentRecord, type ContactRecord, excludeAgent, NO_LEVELS } from "./records.js";
import { normalizeAgent } from "./validate-agent.js";
import { normalizeRouting } from "./validate-config.js";
import { checkId, checkOneOf } from "./validate-util.js";

export function newAgentRecord(profile: AgentProfile, core: EngineCore): AgentRecord {
  const normalized = normalizeAgent(profile, core.options.weightsMilli);
  return {
    id: normalized.id,
    source: structuredClone(profile),
    profile: normalized,
    presence: "OFFLINE",
    loadMilli: 0,
    voiceCount: 0,
    held: new Map(),
    consecutiveMisses: 0,
    state: "OFFLINE",
    stateSinceMs: core.nowMs,
    readySeq: CHANNELS.map(() => 0),
    readySinceMs: CHANNELS.map(() => 0),
    nodes: [],
    stamp: 0,
    levels: NO_LEVELS,
    tag: 0,
  };
}

export function upsertAgent(
  core: EngineCore,
  profile: AgentProfile,
  nowMs: number,
  effects: RouterEffect[],
) {
  const fresh = newAgentRecord(profile, core);
  if (!fresh.profile.channels.includes(true))
    throw invalid("agent.channels must list at least one channel");
  const agent = core.agents.get(fresh.id);
  if (agent === undefined) {
    fresh.stateSinceMs = nowMs;
    core.agents.set(fresh.id, fresh);
    if (core.options.indexed) core.index.buildNodes(fresh);
    return;
  }
  // Leave every list and re-enter: a changed profile must count as "new agent" for caches.
  for (let ch = 0; ch < agent.readySeq.length; ch++) {
    if (agent.readySeq[ch] !== 0 && core.options.indexed) core.index.unlink(agent, ch);
    agent.readySeq[ch] = 0;
  }
  if (agent.presence === "AVAILABLE") core.countStaffed(agent, -1);
  agent.source = fresh.source;
  agent.profile = fresh.profile;
  if (agent.presence === "AVAILABLE") core.countStaffed(agent, 1);
  if (core.options.indexed) core.index.buildNodes(agent);
  // A ringing offer the new profile no longer qualifies for (a skill removed, a tier lowered)
  // is withdrawn: an offer must never stand with an ineligible agent.
  const withdrawn: ContactRecord[] = [];
  for (const id of [...agent.held.keys()]) {
    const c = core.contacts.get(id) as ContactRecord;
    const offer = core.offers.get(c.offerId ?? "");
    if (c.state !== "OFFERED" || offer === undefined || offer.agentId !== agent.id) continue;
    if (failedConstraint(agent.profile, c.req) === null) continue;
    core.offers.delete(offer.offerId);
    core.release(agent, c);
    effects.push({
      type: "OFFER_CANCELLED",
      atMs: nowMs,
      offerId: offer.offerId,
      contactId: c.id,
      agentId: agent.id,
      reason: "AGENT_PROFILE_CHANGED",
    });
    c.state = "WAITING";
    c.agentId = null;
    c.offerId = null;
    c.atHead = true;
    excludeAgent(c, agent.id);
    withdrawn.push(c);
  }
  for (const c of withdrawn) {
    settle(core, c, nowMs, effects);
    routeContact(core, c, nowMs, effects);
  }
  freeAgent(core, agent, nowMs, effects);
}

export function removeAgent(
  core: EngineCore,
  agentId: string,
  nowMs: number,
  effects: RouterEffect[],
) {
  checkId(agentId, "agentId");
  const agent = core.agents.get(agentId);
  if (agent === undefined) throw notFound(`agent ${agentId} does not exist`);
  for (const id of agent.held.keys()) {
    const state = core.contacts.get(id)?.state;
    if (state === "CONNECTED" || state === "WRAP_UP") {
      throw precondition(`agent ${agentId} still handles contact ${id}`);
    }
  }
  const returned: ContactRecord[] = [];
  for (const id of [...agent.held.keys()]) {
    const c = core.contacts.get(id) as ContactRecord;
    const offer = core.offers.get(c.offerId ?? "");
    if (offer === undefined) continue;
    core.offers.delete(offer.offerId);
    core.release(agent, c);
    effects.push({
      type: "OFFER_CANCELLED",
      atMs: nowMs,
      offerId: offer.offerId,
      contactId: c.id,
      agentId,
      reason: "AGENT_REMOVED",
    });
    c.state = "WAITING";
    c.agentId = null;
    c.offerId = null;
    c.atHead = true;
    returned.push(c);
  }
  if (agent.presence === "AVAILABLE") core.countStaffed(agent, -1);
  agent.presence = "OFFLINE";
  core.refreshReadiness(agent, nowMs, false);
  core.agents.delete(agentId);
  if (agent.state !== "OFFLINE") {
    effects.push({
      type: "AGENT_STATE_CHANGED",
      atMs: nowMs,
      agentId,
      from: agent.state,
      to: "OFFLINE",
      reason: "REMOVED",
    });
  }
  for (const c of core.waiting.reservedFor(agentId)) {
    core.waiting.remove(c);
    returned.push(c);
  }
  returned.sort((a, b) => a.seq - b.seq);
  for (const c of returned) {
    if (c.req.agentOnly === agentId) endPhase(core, c, nowMs, effects);
    settle(core, c, nowMs, effects);
    routeContact(core, c, nowMs, effects);
  }
}

const PRESENCES: readonly AgentPresence[] = ["OFFLINE", "AVAILABLE", "AWAY"];

export function setPresence(
  core: EngineCore,
  agentId: string,
  presence: AgentPresence,
  nowMs: number,
  effects: RouterEffect[],
): void {
  checkId(agentId, "agentId");
  checkOneOf(presence, "presence", PRESENCES);
  const agent = core.agents.get(agentId);
  if (agent === undefined) throw notFound(`agent ${agentId} does not exist`);
  if (agent.presence === presence) return;
  if (agent.presence === "AVAILABLE") core.countStaffed(agent, -1);
  if (presence === "AVAILABLE") core.countStaffed(agent, 1);
  agent.presence = presence;
  agent.consecutiveMisses = 0;
  core.refreshReadiness(agent, nowMs, false);
  core.updateState(agent, nowMs, "PRESENCE", effects);
  if (presence === "AVAILABLE") freeAgent(core, agent, nowMs, effects);
}

/** Replaces queues and rules; waiting contacts are re-placed and re-routed in arrival order. */
export function configure(
  core: EngineCore,
  config: RoutingConfig,
  nowMs: number,
  effects: RouterEffect[],
) {
  const routing = normalizeRouting(config);
  for (const c of core.contacts.values()) {
    if (!routing.queues.has(c.queueId)) {
      throw precondition(`queue ${c.queueId} still holds contact ${c.id}; move it first`);
    }
  }
  core.routing = routing;
  const waiting = [...core.waiting.all].sort((a, b) => a.seq - b.seq);
  for (const c of waiting) core.waiting.remove(c);
  for (const c of core.contacts.values()) {
    c.step = Math.min(c.step, core.queue(c.queueId).steps.length);
    if (c.state === "WAITING") settle(core, c, nowMs, effects);
    else {
      setQueueKeys(core, c);
      refreshRequirement(core, c);
    }
  }
  for (const c of waiting)
    if (c.state === "WAITING" && c.group === null) routeContact(core, c, nowMs, effects);
}

/** Runs every deadline due at or before `nowMs`, in (due, scheduling) order. */
export function runTimers(core: EngineCore, nowMs: number, effects: RouterEffect[]): void {
  const timers = core.timers;
  while (timers.next(nowMs)) {
    const dueMs = timers.dueMs;
    const kind = timers.kind;
    const id = timers.id;
    if (kind === "OFFER_EXPIRY") {
      const offer = core.offers.get(id);
      if (offer !== undefined && offer.expiresAtMs === dueMs)
        endOffer(core, offer, "OFFER_EXPIRED", nowMs, effects);
      continue;
    }
    const c = core.contacts.get(id);
    if (c === undefined) continue;
    if (kind === "WRAP_UP_END") {
      if (c.state === "WRAP_UP" && c.wrapUpEndsAtMs === dueMs) {
        finish(core, c, null, "WRAP_UP_ELAPSED", nowMs, effects);
      }
      continue;
    }
    const due = kind === "ESCALATION" ? c.nextStepAtMs : c.phaseEndsAtMs;
    if (c.state !== "WAITING" || due !== dueMs) continue;
    core.waiting.remove(c);
    settle(core, c, nowMs, effects);
    routeContact(core, c, nowMs, effects);
  }
}
