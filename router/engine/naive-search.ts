/**
 * The baseline: the same constraints and the same order as the indexed searches, by a linear
 * scan over every agent / every waiting contact. Used by the benchmark as its yardstick and by
 * the tests as an oracle (both must pick the same winner).
 *
 * Complexity: O(A · s) per contact, O(W · s) per freed agent.
 */
import type { ScoringWeights } from "./config-types.js";
import { servedBefore } from "./contact-order.js";
import { canTake, failedConstraint } from "./eligibility.js";
import type { AgentRecord, ContactRecord } from "./records.js";
import { idleSeconds, proficiencyMargin, scoreOf } from "./scoring.js";
import {
  type AgentSearchResult,
  type ContactSearchResult,
  ExclusionTally,
  found,
  noWinner,
  type SearchContext,
} from "./search-types.js";

export function searchAgentNaive(
  ctx: SearchContext,
  c: ContactRecord,
  w: ScoringWeights,
  nowMs: number,
): AgentSearchResult {
  const req = c.req;
  const ch = req.channel;
  const tally = new ExclusionTally();
  let best: AgentRecord | null = null;
  let bestScore = Number.NEGATIVE_INFINITY;
  let considered = 0;
  for (const a of ctx.agents.values()) {
    considered++;
    if (!canTake(a, ch, ctx.capacityMilli)) {
      tally.add(
        a.presence !== "AVAILABLE" ? "state" : a.profile.channels[ch] ? "capacity" : "channel",
      );
      continue;
    }
    const failed = failedConstraint(a.profile, req);
    if (failed !== null) {
      tally.add(failed);
      continue;
    }
    if (c.excluded.has(a.id)) {
      tally.add("declined-or-missed-before");
      continue;
    }
    const s = scoreOf(a, c, w, nowMs);
    if (
      best === null ||
      s > bestScore ||
      (s === bestScore && (a.readySeq[ch] ?? 0) < (best.readySeq[ch] ?? 0))
    ) {
      best = a;
      bestScore = s;
    }
  }
  if (best !== null) {
    const margin = proficiencyMargin(best, req);
    return found(best, bestScore, margin, idleSeconds(best, ch, nowMs), considered);
  }
  return noWinner(considered, tally.toList());
}

export function searchContactNaive(
  ctx: SearchContext,
  agent: AgentRecord,
  nowMs: number,
): ContactSearchResult {
  let best: ContactRecord | null = null;
  let considered = 0;
  for (const c of ctx.waiting.all) {
    considered++;
    if (!canTake(agent, c.req.channel, ctx.capacityMilli)) continue;
    if (failedConstraint(agent.profile, c.req) !== null || c.excluded.has(agent.id)) continue;
    if (best === null || servedBefore(c, best, nowMs)) best = c;
  }
  return { contact: best, considered };
}
