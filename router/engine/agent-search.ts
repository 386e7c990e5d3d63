/**
 * Contact → best agent, on the ready lists. Candidates come from the smallest of: the lists of
 * one required skill at levels ≥ its minimum, the contact's language list, the account-team
 * list, or all ready agents of the channel. Each list is in idle-since order, so it is walked
 * best-first with an upper bound per list (idle of its head + the most proficiency margin the
 * list allows) and stops as soon as no unseen agent can beat the best found — the same winner
 * a full scan would pick, usually after a handful of agents. The preferred agent and a small
 * account team are scored first, so their bonuses need not inflate every bound.
 *
 * Per step the walk reads only list nodes (which carry the agent's ready seq and idle-since)
 * and cached cursor bounds; an examined agent costs a typed-array read per required skill
 * (dense skill ids, AgentRecord.levels) instead of Map lookups by name. One reused search
 * state (agent-walk.ts), no closures: a search that finds an agent allocates only its result;
 * one that finds nobody is explained by no-match-explanation.ts.
 *
 * Complexity: O(k · (s + L)) where k = agents examined (bounded by the chosen list), s = skills
 * per contact and L ≤ 6 cursors; a repeat no-match for an unchanged signature is O(1) via the
 * no-match cache.
 */
import { languageTagBit, skillTagBit } from "./agent-index.js";
import { walk } from "./agent-walk.js";
import type { ScoringWeights } from "./config-types.js";
import type { Exclusion } from "./decision.js";
import { canTake, failedConstraint } from "./eligibility.js";
import { explainNoMatch } from "./no-match-explanation.js";
import type { ListNode, ReadyList } from "./ready-list.js";
import type { AgentRecord, ContactRecord } from "./records.js";
import { idleSeconds, maxMargin, proficiencyMargin, scoreOf } from "./scoring.js";
import { type AgentSearchResult, found, noWinner, type SearchContext } from "./search-types.js";

const ACCOUNT_PRESCORE_LIMIT = 32;

export function searchAgentIndexed(
  ctx: SearchContext,
  c: ContactRecord,
  w: ScoringWeights,
  nowMs: number,
): AgentSearchResult {
  const req = c.req;
  const ch = req.channel;
  const lists = ctx.index.channels[ch];
  if (req.agentOnly !== null || lists === undefined) return searchOne(ctx, c, w, nowMs);
  const hit = ctx.cache.get(req.signature);
  if (hit !== undefined) {
    return noWinner(0, hit.exclusions, true);
  }
  const s = walk;
  s.req = req;
  s.c = c;
  s.w = w;
  s.nowMs = nowMs;
  s.ch = ch;
  s.stamp = ++ctx.stamp;
  s.best = null;
  s.bestScore = Number.NEGATIVE_INFINITY;
  s.nSeen = 0;
  s.nPre = 0;
  s.nCur = 0;
  s.knownSkill = -1;
  const skills = req.skills;
  if (skills.length > s.ids.length) {
    s.ids = new Int32Array(skills.length * 2);
    s.mins = new Int32Array(skills.length * 2);
    s.tops = new Int32Array(skills.length * 2);
  }
  s.nSkills = skills.length;
  let needBits = 0;
  for (let i = 0; i < skills.length; i++) {
    const k = skills[i] as { skill: string; min: number };
    const sl = lists.skills.get(k.skill);
    s.skillLists[i] = sl;
    const id = sl !== undefined ? sl.id : (ctx.index.skillIds.get(k.skill) ?? -1);
    s.ids[i] = id;
    s.mins[i] = k.min;
    if (id >= 0) needBits |= skillTagBit(id);
  }
  let languageBit = 0;
  if (req.language !== null) {
    languageBit = languageTagBit(ctx.index.languageIds.get(req.language) ?? -1);
    needBits |= languageBit;
  }
  s.languageInTag = req.language === null || languageBit !== 0;
  s.profileCheck = !s.languageInTag || req.intermediaryKind !== null || req.teams !== null;
  s.needBits = needBits;
  s.minTier = req.complexity;

  if (c.preferredAgentId !== null) {
    const p = ctx.agents.get(c.preferredAgentId);
    if (p !== undefined && canTake(p, ch, ctx.capacityMilli)) s.preVisit(p);
  }
  s.accountBound = 0;
  const accountList = c.c.accountId === null ? undefined : lists.accounts.get(c.c.accountId);
  if (accountList !== undefined && accountList.size > 0 && w.accountOwner > 0) {
    if (accountList.size <= ACCOUNT_PRESCORE_LIMIT) {
      for (let n = accountList.head; n !== null; n = n.next) {
        const tag = n.tag;
        if ((tag & 7) < s.minTier || (tag & needBits) !== needBits) {
          // Provably ineligible: considered (the walk will know it by reference), not read.
          s.see(n.item, tag);
          s.nPre++;
        } else {
          s.preVisit(n.item);
        }
      }
    } else {
      s.accountBound = 1;
    }
  }

  let sourceSize: number;
  // What the candidates came from, spelled out only for a no-match explanation:
  // 0 = account team, 1 = any skill, 2 = language, 3 = skill `skills[sourceSkill]`.
  let sourceKind: number;
  let sourceSkill = -1;
  if (req.accountOnly !== null) {
    sourceSize = s.addList(accountList, maxMargin(req, -1), 0);
    sourceKind = 0;
  } else {
    sourceSize = lists.all.size;
    sourceKind = 1;
    let skillIndex = -1;
    for (let i = 0; i < skills.length; i++) {
      const min = s.mins[i] as number;
      const sl = s.skillLists[i];
      let size = 0;
      let top = min;
      if (sl !== undefined) {
        for (let l = 5; l >= min; l--) {
          const n = (sl.levels[l] as ReadyList<AgentRecord>).size;
          size += n;
          if (n > 0 && top === min) top = l;
        }
      }
      s.tops[i] = top;
      if (size < sourceSize || (skillIndex === -1 && size <= sourceSize)) {
        sourceSize = size;
        skillIndex = i;
      }
    }
    // Bound other skills by the best level actually ready, not by 5: fewer agents to walk.
    let othersAll = 0;
    let othersSkip = 0;
    for (let i = 0; i < skills.length; i++) {
      const m = (s.tops[i] as number) - (s.mins[i] as number);
      othersAll += m;
      if (i !== skillIndex) othersSkip += m;
    }
    const languageList = req.language === null ? undefined : lists.languages.get(req.language);
    const languageSize =
      req.language === null ? Number.POSITIVE_INFINITY : (languageList?.size ?? 0);
    if (languageSize < sourceSize) {
      sourceSize = s.addList(languageList, othersAll, 0);
      sourceKind = 2;
    } else if (skillIndex >= 0) {
      const min = s.mins[skillIndex] as number;
      const sl = s.skillLists[skillIndex];
      if (sl !== undefined) {
        for (let l = 5; l >= min; l--) s.addList(sl.levels[l], l - min + othersSkip, l);
      }
      sourceKind = 3;
      sourceSkill = skillIndex;
      s.knownSkill = skillIndex;
    } else {
      s.addList(lists.all, othersAll, 0);
    }
  }

  const curNode = s.curNode;
  const curBound = s.curBound;
  for (;;) {
    let pick = -1;
    let pickBound = 0;
    let pickSeq = 0;
    for (let i = 0; i < s.nCur; i++) {
      const node = curNode[i];
      if (node === null || node === undefined) continue;
      const b = curBound[i] as number;
      if (pick === -1 || b > pickBound || (b === pickBound && node.seq < pickSeq)) {
        pick = i;
        pickBound = b;
        pickSeq = node.seq;
      }
    }
    if (pick === -1) break;
    const node = curNode[pick] as ListNode<AgentRecord>;
    const best = s.best;
    if (
      best !== null &&
      !(pickBound > s.bestScore || (pickBound === s.bestScore && pickSeq < s.bestSeq))
    ) {
      break;
    }
    s.setCursor(pick, node.next);
    const tag = node.tag;
    if ((tag & 7) < s.minTier || (tag & s.needBits) !== s.needBits) {
      // Provably ineligible from the node alone: considered, but its record is not read.
      if (s.nPre === 0 || !s.isPre(node.item)) s.see(node.item, tag);
    } else if (s.nPre === 0 || node.item.stamp !== s.stamp) {
      s.visitNode(node, s.curLevel[pick] as number);
    }
  }
  // Drop references so a finished search keeps no agents or contacts alive.
  for (let i = 0; i < s.nCur; i++) curNode[i] = null;

  const winner = s.best as AgentRecord | null;
  s.best = null;
  if (winner !== null) {
    const considered = s.nSeen;
    s.forget();
    return found(winner, s.bestScore, s.bestMargin, (nowMs - s.bestSinceMs) / 1000, considered);
  }
  return explainNoMatch(ctx, s, lists, sourceKind, sourceSize, sourceSkill);
}

/** PREFERRED_AGENT / TARGETED: one possible agent, looked up directly. O(skills). */
function searchOne(
  ctx: SearchContext,
  c: ContactRecord,
  w: ScoringWeights,
  nowMs: number,
): AgentSearchResult {
  const id = c.req.agentOnly ?? "";
  const a = ctx.agents.get(id);
  // What ExclusionTally would build for one or two constraints, without its Map.
  const others = ctx.agents.size - (a === undefined ? 0 : 1);
  const reserved: Exclusion | null =
    others > 0 ? { constraint: "reserved-for-agent", agentsExcluded: others } : null;
  if (a !== undefined) {
    const failed = !canTake(a, c.req.channel, ctx.capacityMilli)
      ? a.presence === "AVAILABLE"
        ? "capacity"
        : "state"
      : (failedConstraint(a.profile, c.req) ??
        (c.excluded.has(a.id) ? "declined-or-missed-before" : null));
    if (failed === null) {
      const margin = proficiencyMargin(a, c.req);
      return found(a, scoreOf(a, c, w, nowMs), margin, idleSeconds(a, c.req.channel, nowMs), 1);
    }
    // `failed` is never "reserved-for-agent": `a` is the agent the contact is reserved for.
    const own: Exclusion = { constraint: failed, agentsExcluded: 1 };
    return noWinner(1, reserved === null ? [own] : [reserved, own]);
  }
  return noWinner(0, reserved === null ? [] : [reserved]);
}
