/**
 * Why a search found nobody: every agent the walk considered, by its first failed constraint
 * in encounter order (mostly told from the node tag kept beside it, explainCode), plus the
 * agents not ready on the channel with the walk's source, and — when no considered agent was
 * merely excluded for this contact — a no-match cache entry for the requirement's signature.
 *
 * Complexity: O(k · s) for k agents considered and s required skills, plus O(f) to cache it
 * (f = the requirement's list families, 1–4).
 */
import { type ChannelLists, LANGUAGE_BITS, languageTagBit, skillTagBit } from "./agent-index.js";
import { authorizationCode, EXCLUDED, failCode, NAMES, OK, type Walk } from "./agent-walk.js";
import type { Exclusion } from "./decision.js";
import { CHANNELS } from "./domain.js";
import type { ListFamily } from "./ready-list.js";
import type { AgentRecord } from "./records.js";
import type { Requirement } from "./requirements.js";
import { type AgentSearchResult, noWinner, type SearchContext } from "./search-types.js";

const NO_LANGUAGE = -2;

/**
 * failCode for an agent met on the walk of a channel's lists when the requirement has no
 * account-team restriction (so codes 1 and 2 cannot apply), reading as little as it can: a
 * skill whose bloom bit is missing from the tag, the tier (exact in the tag) and a language
 * among the first LANGUAGE_BITS (exact in the tag) need no read at all; other skills read one
 * level; only a language beyond the tag's bits, the intermediary and the team read the
 * profile. `knownSkill` is the requirement skill whose level lists the walk came from (the
 * agent has it at or above its minimum), -1 if none; `languageId` is the requirement's dense
 * language id, -1 for a language no agent has, NO_LANGUAGE when it requires none.
 */
function explainCode(
  a: AgentRecord,
  tag: number,
  req: Requirement,
  s: Walk,
  knownSkill: number,
  languageId: number,
): number {
  for (let i = 0; i < s.nSkills; i++) {
    if (i === knownSkill) continue;
    const id = s.ids[i] as number;
    if (id < 0 || (tag & skillTagBit(id)) === 0) return 3;
    const levels = a.levels;
    const l = id < levels.length ? (levels[id] as number) : 0;
    if (l === 0) return 3;
    if (l < (s.mins[i] as number)) return 4;
  }
  if ((tag & 7) < req.complexity) return 5;
  if (languageId !== NO_LANGUAGE) {
    if (languageId === -1) return 6;
    if (languageId < LANGUAGE_BITS) {
      if ((tag & languageTagBit(languageId)) === 0) return 6;
    } else if (!a.profile.languages.has(req.language as string)) return 6;
  }
  return authorizationCode(a.profile, req);
}

/**
 * The no-match result of a finished walk `s` whose candidates came from `sourceKind` (0 =
 * account team, 1 = any skill, 2 = language, 3 = the skill `sourceSkill`) of `sourceSize`
 * agents. Clears the walk's references.
 */
export function explainNoMatch(
  ctx: SearchContext,
  s: Walk,
  lists: ChannelLists,
  sourceKind: number,
  sourceSize: number,
  sourceSkill: number,
): AgentSearchResult {
  const req = s.req;
  const ch = s.ch;
  const skills = req.skills;
  const considered = s.nSeen;
  // Nobody eligible: each considered agent's first failed constraint, in encounter order.
  const counts = s.counts;
  const order = s.order;
  counts.fill(0);
  order.length = 0;
  let excludedButEligible = false;
  // Agents met on the walk (not the preferred agent or a pre-scored account team) work this
  // channel, and with no account-team restriction their first failed constraint can mostly be
  // told from their node tag and skill levels, without reading their profile (explainCode).
  const fromTag = req.accountOnly === null;
  const languageId =
    req.language === null ? NO_LANGUAGE : (ctx.index.languageIds.get(req.language) ?? -1);
  const knownSkill = s.knownSkill;
  for (let i = 0; i < considered; i++) {
    const a = s.seen[i] as AgentRecord;
    let code =
      fromTag && i >= s.nPre
        ? explainCode(a, s.seenTags[i] as number, req, s, knownSkill, languageId)
        : failCode(a, req, s.ids, s.mins, s.nSkills);
    if (code === OK) {
      excludedButEligible = true;
      code = EXCLUDED;
    }
    if (counts[code] === 0) order.push(code);
    counts[code] = (counts[code] ?? 0) + 1;
  }
  s.forget();
  const exclusions: Exclusion[] = [];
  for (const code of order) {
    exclusions.push({ constraint: NAMES[code] ?? "", agentsExcluded: counts[code] ?? 0 });
  }
  const notReady = ctx.agents.size - sourceSize;
  if (notReady > 0) {
    const k = skills[sourceSkill];
    const sourceLabel =
      sourceKind === 0
        ? `account team ${req.accountOnly}`
        : sourceKind === 2
          ? `language ${req.language}`
          : sourceKind === 3 && k !== undefined
            ? `skill ${k.skill}>=${k.min}`
            : "any skill";
    exclusions.push({
      constraint: `not ready on ${CHANNELS[ch]} with ${sourceLabel}`,
      agentsExcluded: notReady,
    });
  }
  if (!excludedButEligible) {
    // The lists' own families; a key lookup only for a skill, language or team no agent has.
    const families: ListFamily[] = [];
    for (let i = 0; i < skills.length; i++) {
      families.push(
        s.skillLists[i]?.family ??
          ctx.index.family(`${ch}|s|${(skills[i] as { skill: string }).skill}`),
      );
    }
    if (req.language !== null) {
      families.push(
        lists.languages.get(req.language)?.family ?? ctx.index.family(`${ch}|l|${req.language}`),
      );
    }
    if (req.accountOnly !== null) {
      families.push(
        lists.accounts.get(req.accountOnly)?.family ??
          ctx.index.family(`${ch}|a|${req.accountOnly}`),
      );
    }
    ctx.cache.set(req.signature, {
      families,
      counts: families.map((f) => f.inserts),
      considered,
      exclusions,
    });
  }
  return noWinner(considered, exclusions);
}
