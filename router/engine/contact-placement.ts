/**
 * Where a waiting contact stands: its phase (preferred agent → account team → open), its
 * escalation step, and therefore its requirement and its keys in the service order. Escalation
 * and phase ends are deadlines in the timer heap; this file applies whatever is due.
 *
 * Complexity: O(steps passed + skills) per call.
 */
import { staticKey } from "./contact-order.js";
import type { RouterEffect } from "./decision.js";
import type { EngineCore } from "./engine-core.js";
import type { ContactRecord } from "./records.js";
import { computeRequirement } from "./requirements.js";

/** Queue-dependent keys of the service order; call after any queue change. */
export function setQueueKeys(core: EngineCore, c: ContactRecord): void {
  const q = core.queue(c.queueId);
  c.effBase = c.priority + q.priority;
  c.agingIntervalMs = q.agingIntervalMs;
  c.staticKey = staticKey(c.priority, q.agingIntervalMs, c.firstEnqueuedAtMs);
}

export function refreshRequirement(core: EngineCore, c: ContactRecord): void {
  c.req = computeRequirement(c.c, core.queue(c.queueId), c.step, c);
}

/**
 * Picks the phase a contact is in from `nowMs`: first its preferred agent (only if that agent
 * is logged in — waiting for someone offline helps nobody), then its account team (only if a
 * member is logged in), then everyone. `afterPreferred` skips the first.
 */
export function choosePhase(
  core: EngineCore,
  c: ContactRecord,
  nowMs: number,
  afterPreferred: boolean,
): void {
  const q = core.queue(c.queueId);
  c.phase = "OPEN";
  c.phaseEndsAtMs = 0;
  if (!afterPreferred && c.preferredAgentId !== null && q.preferredAgentWaitMs > 0) {
    const p = core.agents.get(c.preferredAgentId);
    if (p !== undefined && p.presence !== "OFFLINE") {
      c.phase = "PREFERRED_AGENT";
      c.phaseEndsAtMs = c.firstEnqueuedAtMs + q.preferredAgentWaitMs;
    }
  }
  if (c.phase === "OPEN" && c.c.institutional && c.c.accountId !== null) {
    const until = c.firstEnqueuedAtMs + q.accountTeamWaitMs;
    if (until > nowMs && (core.staffedByAccount.get(c.c.accountId) ?? 0) > 0) {
      c.phase = "ACCOUNT_TEAM";
      c.phaseEndsAtMs = until;
    }
  }
  if (c.phaseEndsAtMs > nowMs) core.timers.schedule(c.phaseEndsAtMs, "PHASE_END", c.id);
}

/** Ends a restricting phase now and moves to the next one. */
export function endPhase(
  core: EngineCore,
  c: ContactRecord,
  nowMs: number,
  effects: RouterEffect[],
) {
  const from = c.phase;
  if (from === "OPEN") return;
  effects.push({ type: "CONTACT_RELEASED", atMs: nowMs, contactId: c.id, from });
  if (from === "TARGETED") c.targetAgentId = null;
  if (from === "PREFERRED_AGENT") choosePhase(core, c, nowMs, true);
  else {
    c.phase = "OPEN";
    c.phaseEndsAtMs = 0;
  }
}

/** Applies due phase ends and escalation steps, schedules the next step, refreshes keys. */
export function settle(core: EngineCore, c: ContactRecord, nowMs: number, effects: RouterEffect[]) {
  while (
    (c.phase === "PREFERRED_AGENT" || c.phase === "ACCOUNT_TEAM") &&
    c.phaseEndsAtMs <= nowMs
  ) {
    endPhase(core, c, nowMs, effects);
  }
  let q = core.queue(c.queueId);
  while (c.phase !== "TARGETED" && c.step < q.steps.length) {
    const step = q.steps[c.step];
    if (step === undefined || c.queuedAtMs + step.afterMs > nowMs) break;
    c.step++;
    effects.push({
      type: "CONTACT_ESCALATED",
      atMs: nowMs,
      contactId: c.id,
      queueId: c.queueId,
      step: c.step,
    });
    if (step.overflowToQueueId !== undefined) {
      effects.push({
        type: "CONTACT_OVERFLOWED",
        atMs: nowMs,
        contactId: c.id,
        fromQueueId: c.queueId,
        toQueueId: step.overflowToQueueId,
      });
      c.queueId = step.overflowToQueueId;
      c.queuedAtMs = nowMs;
      c.step = 0;
      q = core.queue(c.queueId);
    }
  }
  const next = c.phase === "TARGETED" ? undefined : q.steps[c.step];
  c.nextStepAtMs = next === undefined ? 0 : c.queuedAtMs + next.afterMs;
  if (c.nextStepAtMs !== 0) core.timers.schedule(c.nextStepAtMs, "ESCALATION", c.id);
  setQueueKeys(core, c);
  refreshRequirement(core, c);
}
