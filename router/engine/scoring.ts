/**
 * The soft score of an eligible agent for a contact, and its explanation. The sum is built in
 * a fixed order (idle, proficiency, account, preferred) so that the search's upper bounds,
 * built in the same order, are never below an exact score by a rounding step.
 */
import type { ScoringWeights } from "./config-types.js";
import type { ScoreTerm } from "./decision.js";
import type { AgentRecord, ContactRecord } from "./records.js";
import type { Requirement } from "./requirements.js";

/** Levels above the minimum, summed over the required skills. O(skills). */
export function proficiencyMargin(agent: AgentRecord, req: Requirement): number {
  let sum = 0;
  for (const s of req.skills) sum += (agent.profile.skills.get(s.skill) ?? s.min) - s.min;
  return sum;
}

/** Most a not-yet-seen agent could have above the minimums. */
export function maxMargin(req: Requirement, skip: number): number {
  let sum = 0;
  req.skills.forEach((s, i) => {
    if (i !== skip) sum += 5 - s.min;
  });
  return sum;
}

export function idleSeconds(agent: AgentRecord, ch: number, nowMs: number): number {
  return (nowMs - (agent.readySinceMs[ch] ?? nowMs)) / 1000;
}

function isAccountOwner(agent: AgentRecord, c: ContactRecord): number {
  return c.c.accountId !== null && agent.profile.authAccountIds.has(c.c.accountId) ? 1 : 0;
}

export function scoreOf(
  agent: AgentRecord,
  c: ContactRecord,
  w: ScoringWeights,
  nowMs: number,
): number {
  const req = c.req;
  let s = w.idlePerSec * idleSeconds(agent, req.channel, nowMs);
  s += w.proficiency * proficiencyMargin(agent, req);
  s += w.accountOwner * isAccountOwner(agent, c);
  s += w.preferredAgent * (c.preferredAgentId === agent.id ? 1 : 0);
  return s;
}

export function scoreTerms(
  agent: AgentRecord,
  c: ContactRecord,
  w: ScoringWeights,
  nowMs: number,
): ScoreTerm[] {
  return termsOf(
    agent,
    c,
    w,
    proficiencyMargin(agent, c.req),
    idleSeconds(agent, c.req.channel, nowMs),
  );
}

/** scoreTerms from a margin and idle time the caller already knows. */
export function termsOf(
  agent: AgentRecord,
  c: ContactRecord,
  w: ScoringWeights,
  margin: number,
  idle: number,
): ScoreTerm[] {
  return [
    {
      name: "preferredAgent",
      value: c.preferredAgentId === agent.id ? 1 : 0,
      weight: w.preferredAgent,
    },
    { name: "accountOwner", value: isAccountOwner(agent, c), weight: w.accountOwner },
    { name: "proficiency", value: margin, weight: w.proficiency },
    { name: "idle", value: idle, weight: w.idlePerSec },
  ];
}
