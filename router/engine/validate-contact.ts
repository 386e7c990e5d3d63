import {
  CHANNELS,
  type ContactInput,
  type CustomerHistory,
  INTERMEDIARY_KINDS,
  type PastAgent,
  type SkillRequirement,
} from "./domain.js";
import { invalid } from "./errors.js";
import { checkId, checkInt, checkOneOf } from "./validate-util.js";

export interface SkillMin {
  readonly skill: string;
  readonly min: number;
}

/** A contact checked once; skills sorted by name so signatures are canonical. */
export interface NormalizedContact {
  readonly id: string;
  readonly channel: number;
  readonly required: readonly SkillMin[];
  /** Optional skills not already required at that level or above. */
  readonly optional: readonly SkillMin[];
  readonly complexity: number;
  readonly priority: number;
  readonly language: string | null;
  /** Only a present intermediary. */
  readonly intermediaryKind: string | null;
  readonly intermediaryId: string | null;
  readonly accountId: string | null;
  readonly institutional: boolean;
  readonly customerId: string | null;
}

/** Shared by every contact without optional skills (never mutated). */
const NO_SKILLS: readonly SkillMin[] = Object.freeze([]);

/** Reused while sorting; the result is an exact-size copy (contacts keep it for minutes). */
const scratch: SkillMin[] = [];

function skillList(
  list: readonly SkillRequirement[] | undefined,
  field: string,
): readonly SkillMin[] {
  if (list === undefined) return NO_SKILLS;
  if (!Array.isArray(list)) throw invalid(`${field} must be a list`);
  if (list.length === 0) return NO_SKILLS;
  // Contacts list a handful of skills: an insertion-sorted array, no Map, no closures. The
  // scratch array keeps its size (truncating it by `length = 0` is a runtime call); only its
  // first k slots are this call's.
  const out = scratch;
  let k = 0;
  for (let i = 0; i < list.length; i++) {
    const s = list[i] as SkillRequirement;
    const skill = checkId(s?.skill, `${field}[${i}].skill`);
    checkInt(s.minProficiency, `${field}[${i}].minProficiency`, 1, 5);
    let j = 0;
    while (j < k && (out[j] as SkillMin).skill < skill) j++;
    const at = j < k ? out[j] : undefined;
    if (at !== undefined && at.skill === skill) {
      if (s.minProficiency > at.min) out[j] = { skill, min: s.minProficiency };
    } else {
      for (let m = k; m > j; m--) out[m] = out[m - 1] as SkillMin;
      out[j] = { skill, min: s.minProficiency };
      k++;
    }
  }
  return k === 1 ? [out[0] as SkillMin] : out.slice(0, k);
}

export function normalizeContact(input: ContactInput): NormalizedContact {
  if (typeof input !== "object" || input === null) throw invalid("contact must be an object");
  const id = checkId(input.id, "contact.id");
  const channel = CHANNELS.indexOf(checkOneOf(input.channel, "contact.channel", CHANNELS));
  const required = skillList(input.requiredSkills, "contact.requiredSkills");
  // An optional skill that is also required only matters if it asks for more.
  const optional =
    input.optionalSkills === undefined
      ? NO_SKILLS
      : skillList(input.optionalSkills, "contact.optionalSkills").filter(
          (s) => s.min > (required.find((r) => r.skill === s.skill)?.min ?? 0),
        );
  const complexity = input.complexity ?? 1;
  checkInt(complexity, "contact.complexity", 1, 5);
  const priority = input.priority ?? 0;
  checkInt(priority, "contact.priority", -1000, 1000);
  const language =
    input.language === undefined ? null : checkId(input.language, "contact.language");
  let intermediaryKind: string | null = null;
  let intermediaryId: string | null = null;
  if (input.intermediary !== undefined) {
    const kind = checkOneOf(
      input.intermediary.kind,
      "contact.intermediary.kind",
      INTERMEDIARY_KINDS,
    );
    const iid = checkId(input.intermediary.id, "contact.intermediary.id");
    if (typeof input.intermediary.present !== "boolean") {
      throw invalid("contact.intermediary.present must be a boolean");
    }
    if (input.intermediary.present) {
      intermediaryKind = kind;
      intermediaryId = iid;
    }
  }
  let accountId: string | null = null;
  let institutional = false;
  if (input.account !== undefined) {
    accountId = checkId(input.account.id, "contact.account.id");
    if (typeof input.account.institutional !== "boolean") {
      throw invalid("contact.account.institutional must be a boolean");
    }
    institutional = input.account.institutional;
  }
  const attributes = input.attributes;
  if (attributes !== undefined && attributes !== null) {
    for (const [k, v] of Object.entries(attributes)) {
      if (typeof v !== "string") throw invalid(`contact.attributes.${k} must be a string`);
    }
  }
  return {
    id,
    channel,
    required,
    optional,
    complexity,
    priority,
    language,
    intermediaryKind,
    intermediaryId,
    accountId,
    institutional,
    customerId:
      input.customerId === undefined ? null : checkId(input.customerId, "contact.customerId"),
  };
}

export function validateHistory(history: CustomerHistory | undefined): void {
  if (history === undefined) return;
  if (typeof history !== "object" || history === null) throw invalid("history must be an object");
  (history.lastAgents ?? []).forEach((a, i) => {
    checkId(a?.agentId, `history.lastAgents[${i}].agentId`);
    checkInt(a.endedAtMs, `history.lastAgents[${i}].endedAtMs`, 0, Number.MAX_SAFE_INTEGER);
  });
  if (history.lastContactEndedAtMs !== undefined) {
    checkInt(
      history.lastContactEndedAtMs,
      "history.lastContactEndedAtMs",
      0,
      Number.MAX_SAFE_INTEGER,
    );
  }
  if (history.repeat !== undefined && typeof history.repeat !== "boolean") {
    throw invalid("history.repeat must be a boolean");
  }
  if (history.loyaltyTier !== undefined) checkId(history.loyaltyTier, "history.loyaltyTier");
  if (history.openCaseOwnerAgentId !== undefined) {
    checkId(history.openCaseOwnerAgentId, "history.openCaseOwnerAgentId");
  }
}

/**
 * Own copies of the caller's objects, cheaper than structuredClone on the hot path; built
 * field by field (no conditional spreads) so a plain contact costs one object.
 */
export function copyContactInput(i: ContactInput): ContactInput {
  const copy: { -readonly [K in keyof ContactInput]: ContactInput[K] } = { ...i };
  if (i.requiredSkills !== undefined) copy.requiredSkills = copySkills(i.requiredSkills);
  if (i.optionalSkills !== undefined) copy.optionalSkills = copySkills(i.optionalSkills);
  if (i.intermediary !== undefined) copy.intermediary = { ...i.intermediary };
  if (i.account !== undefined) copy.account = { ...i.account };
  if (i.attributes !== undefined) copy.attributes = { ...i.attributes };
  return copy;
}

/** `map` sizes the copy exactly (a push-grown array keeps ~17 slots for one or two skills). */
function copySkills(list: readonly SkillRequirement[]): SkillRequirement[] {
  return list.map(copySkill);
}

function copySkill(s: SkillRequirement): SkillRequirement {
  return { ...s };
}

export function copyHistory(h: CustomerHistory): CustomerHistory {
  if (h.lastAgents === undefined) return { ...h };
  const lastAgents: PastAgent[] = h.lastAgents.map(copyPastAgent);
  return { ...h, lastAgents };
}

function copyPastAgent(a: PastAgent): PastAgent {
  return { ...a };
}
