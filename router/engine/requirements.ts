import type { ContactPhase } from "./decision.js";
import type { NormalizedQueue } from "./validate-config.js";
import type { NormalizedContact, SkillMin } from "./validate-contact.js";

/**
 * The hard constraints a contact imposes right now: its own needs, relaxed by the escalation
 * steps reached so far, narrowed by its phase. Contacts with equal signatures are
 * interchangeable for eligibility, which is what the waiting groups and the no-match cache
 * key on.
 */
export interface Requirement {
  readonly channel: number;
  /** Sorted by skill name; the first is the group's canonical skill. */
  readonly skills: readonly SkillMin[];
  readonly complexity: number;
  readonly language: string | null;
  readonly intermediaryKind: string | null;
  readonly intermediaryId: string | null;
  /** null = any team. */
  readonly teams: ReadonlySet<string> | null;
  /** ACCOUNT_TEAM phase: only members of this account team. */
  readonly accountOnly: string | null;
  /** PREFERRED_AGENT or TARGETED phase: only this agent. */
  readonly agentOnly: string | null;
  readonly signature: string;
}

export interface PhaseTarget {
  readonly phase: ContactPhase;
  readonly preferredAgentId: string | null;
  readonly targetAgentId: string | null;
}

export function computeRequirement(
  c: NormalizedContact,
  queue: NormalizedQueue,
  step: number,
  target: PhaseTarget,
): Requirement {
  let lowerBy = 0;
  let dropOptional = false;
  let anyTeam = queue.teams === null;
  const teams = new Set(queue.teams ?? []);
  for (let i = 0; i < step && i < queue.steps.length; i++) {
    const s = queue.steps[i];
    if (s === undefined) continue;
    lowerBy += s.lowerMinProficiencyBy ?? 0;
    if (s.dropOptionalSkills === true) dropOptional = true;
    if (s.anyTeam === true) anyTeam = true;
    for (const t of s.addTeams ?? []) teams.add(t);
  }
  let skills: SkillMin[] = c.required.map((s) => ({
    skill: s.skill,
    min: Math.max(1, s.min - lowerBy),
  }));
  if (!dropOptional && c.optional.length > 0) {
    skills = skills
      .concat(c.optional.map((s) => ({ skill: s.skill, min: Math.max(1, s.min - lowerBy) })))
      .sort((a, b) => (a.skill < b.skill ? -1 : a.skill > b.skill ? 1 : 0));
  }
  const agentOnly =
    target.phase === "PREFERRED_AGENT"
      ? target.preferredAgentId
      : target.phase === "TARGETED"
        ? target.targetAgentId
        : null;
  const accountOnly = target.phase === "ACCOUNT_TEAM" ? c.accountId : null;
  const teamList = anyTeam ? null : [...teams].sort();
  const signature = [
    c.channel,
    c.complexity,
    c.language ?? "",
    c.intermediaryKind ?? "",
    c.intermediaryId ?? "",
    teamList === null ? "*" : teamList.join(","),
    accountOnly ?? "",
    agentOnly ?? "",
    skills.map((s) => `${s.skill}:${s.min}`).join(","),
  ].join("\u0001");
  return {
    channel: c.channel,
    skills,
    complexity: c.complexity,
    language: c.language,
    intermediaryKind: c.intermediaryKind,
    intermediaryId: c.intermediaryId,
    teams: teamList === null ? null : new Set(teamList),
    accountOnly,
    agentOnly,
    signature,
  };
}
