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
  let teams: Set<string> | null = null;
  for (let i = 0; i < step && i < queue.steps.length; i++) {
    const s = queue.steps[i];
    if (s === undefined) continue;
    lowerBy += s.lowerMinProficiencyBy ?? 0;
    if (s.dropOptionalSkills === true) dropOptional = true;
    if (s.anyTeam === true) anyTeam = true;
    if (s.addTeams !== undefined && s.addTeams.length > 0) {
      teams ??= new Set(queue.teams ?? []);
      for (const t of s.addTeams) teams.add(t);
    }
  }
  // The common case (no relaxation, no optional skills) shares the contact's own list.
  let skills: readonly SkillMin[] =
    lowerBy === 0
      ? c.required
      : c.required.map((s) => ({ skill: s.skill, min: Math.max(1, s.min - lowerBy) }));
  if (!dropOptional && c.optional.length > 0) {
    const merged = new Map(skills.map((s) => [s.skill, s.min]));
    for (const s of c.optional) {
      merged.set(s.skill, Math.max(merged.get(s.skill) ?? 0, Math.max(1, s.min - lowerBy)));
    }
    skills = [...merged]
      .map(([skill, min]) => ({ skill, min }))
      .sort((a, b) => (a.skill < b.skill ? -1 : a.skill > b.skill ? 1 : 0));
  }
  const agentOnly =
    target.phase === "PREFERRED_AGENT"
      ? target.preferredAgentId
      : target.phase === "TARGETED"
        ? target.targetAgentId
        : null;
  const accountOnly = target.phase === "ACCOUNT_TEAM" ? c.accountId : null;
  const teamList = anyTeam ? null : teams === null ? (queue.teams ?? []) : [...teams].sort();
  let skillKey = "";
  for (const s of skills) skillKey += `\u0002${s.skill}\u0003${s.min}`;
  // Ids cannot contain control characters (validate-util.ts), so these separators are safe.
  const signature = `${c.channel}\u0001${c.complexity}\u0001${c.language ?? ""}\u0001${c.intermediaryKind ?? ""}\u0001${
    c.intermediaryId ?? ""
  }\u0001${teamList === null ? "*" : teamList.join("\u0002")}\u0001${accountOnly ?? ""}\u0001${agentOnly ?? ""}\u0001${skillKey}`;
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
