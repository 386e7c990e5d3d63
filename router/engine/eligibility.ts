import type { Requirement } from "./requirements.js";
import type { NormalizedAgent } from "./validate-agent.js";

/** Channel index of VOICE: never two voice contacts on one agent, whatever the weights. */
export const VOICE = 0;

/** The mutable bits of an agent that capacity depends on. */
export interface CapacityView {
  readonly profile: NormalizedAgent;
  readonly presence: string;
  readonly loadMilli: number;
  readonly voiceCount: number;
}

/** Can this agent take one more contact on channel `ch` right now. O(1). */
export function canTake(agent: CapacityView, ch: number, capacityMilli: number): boolean {
  const p = agent.profile;
  return (
    agent.presence === "AVAILABLE" &&
    p.channels[ch] === true &&
    agent.loadMilli + (p.weightsMilli[ch] ?? 1000) <= capacityMilli &&
    (ch !== VOICE || agent.voiceCount === 0)
  );
}

/**
 * The first hard constraint (other than state and capacity) the agent fails, or null when
 * eligible. O(skills). The names are what no-match explanations count.
 */
export function failedConstraint(agent: NormalizedAgent, req: Requirement): string | null {
  if (req.agentOnly !== null && agent.id !== req.agentOnly) return "reserved-for-agent";
  if (req.accountOnly !== null && !agent.authAccountIds.has(req.accountOnly)) return "account-team";
  if (agent.channels[req.channel] !== true) return "channel";
  for (const s of req.skills) {
    const p = agent.skills.get(s.skill);
    if (p === undefined) return "skill";
    if (p < s.min) return "proficiency";
  }
  if (agent.tier < req.complexity) return "complexity";
  if (req.language !== null && !agent.languages.has(req.language)) return "language";
  if (
    req.intermediaryKind !== null &&
    !agent.authKinds.has(req.intermediaryKind) &&
    !agent.authIntermediaryIds.has(req.intermediaryId ?? "")
  ) {
    return "intermediary";
  }
  if (req.teams !== null && !req.teams.has(agent.team)) return "team";
  return null;
}
