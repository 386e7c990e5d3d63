import { type AgentProfile, CHANNELS, INTERMEDIARY_KINDS } from "./domain.js";
import { invalid } from "./errors.js";
import { toMilli } from "./options.js";
import { checkId, checkIdList, checkInt, checkOneOf } from "./validate-util.js";

/** An agent profile checked once, in the shapes the hot path wants. */
export interface NormalizedAgent {
  readonly id: string;
  readonly skills: ReadonlyMap<string, number>;
  readonly tier: number;
  readonly languages: ReadonlySet<string>;
  /** By channel index: does the agent work this channel. */
  readonly channels: readonly boolean[];
  /** By channel index: load of one contact, in thousandths of an agent. */
  readonly weightsMilli: readonly number[];
  readonly team: string;
  readonly authKinds: ReadonlySet<string>;
  readonly authIntermediaryIds: ReadonlySet<string>;
  readonly authAccountIds: ReadonlySet<string>;
  /** The keys of `skills` in the same order, as an array: loops without a Map iterator. */
  readonly skillNames: readonly string[];
}

export function normalizeAgent(
  profile: AgentProfile,
  defaultWeightsMilli: readonly number[],
): NormalizedAgent {
  if (typeof profile !== "object" || profile === null) throw invalid("agent must be an object");
  const id = checkId(profile.id, "agent.id");
  if (!Array.isArray(profile.skills)) throw invalid("agent.skills must be a list");
  const skills = new Map<string, number>();
  profile.skills.forEach((s, i) => {
    const skill = checkId(s?.skill, `agent.skills[${i}].skill`);
    checkInt(s.proficiency, `agent.skills[${i}].proficiency`, 1, 5);
    if (skills.has(skill)) throw invalid(`agent.skills has ${skill} twice`);
    skills.set(skill, s.proficiency);
  });
  const tier = profile.complexityTier ?? 5;
  checkInt(tier, "agent.complexityTier", 1, 5);
  const channelList = profile.channels ?? CHANNELS;
  if (!Array.isArray(channelList)) throw invalid("agent.channels must be a list");
  const channels = CHANNELS.map(() => false);
  channelList.forEach((c, i) => {
    channels[CHANNELS.indexOf(checkOneOf(c, `agent.channels[${i}]`, CHANNELS))] = true;
  });
  const overrides = profile.channelWeights ?? {};
  const weightsMilli = CHANNELS.map((c, i) => {
    const w = overrides[c];
    return w === undefined
      ? (defaultWeightsMilli[i] ?? 1000)
      : toMilli(w, `agent.channelWeights.${c}`);
  });
  const auth = profile.authorizations ?? {};
  const kinds = auth.intermediaryKinds ?? [];
  kinds.forEach((k, i) => {
    checkOneOf(k, `agent.authorizations.intermediaryKinds[${i}]`, INTERMEDIARY_KINDS);
  });
  return {
    id,
    skills,
    tier,
    languages: new Set(checkIdList(profile.languages, "agent.languages")),
    channels,
    weightsMilli,
    team: profile.team === undefined ? "" : checkId(profile.team, "agent.team"),
    authKinds: new Set(kinds),
    authIntermediaryIds: new Set(
      checkIdList(auth.intermediaryIds, "agent.authorizations.intermediaryIds"),
    ),
    authAccountIds: new Set(checkIdList(auth.accountIds, "agent.authorizations.accountIds")),
    skillNames: [...skills.keys()],
  };
}
