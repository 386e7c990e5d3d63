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
 * state, no closures: a search that finds an agent allocates only its result.
 *
 * Complexity: O(k · (s + L)) where k = agents examined (bounded by the chosen list), s = skills
 * per contact and L ≤ 6 cursors; a repeat no-match for an unchanged signature is O(1) via the
 * no-match cache.
 */
import { LANGUAGE_BITS, languageTagBit, type SkillLists, skillTagBit } from "./agent-index.js";
import type { ScoringWeights } from "./config-types.js";
import type { Exclusion } from "./decision.js";
import { CHANNELS } from "./domain.js";
import { canTake, failedConstraint } from "./eligibility.js";
import type { ListFamily, ListNode, ReadyList } from "./ready-list.js";
import type { AgentRecord, ContactRecord } from "./records.js";
import type { Requirement } from "./requirements.js";
import { idleSeconds, maxMargin, proficiencyMargin, scoreOf } from "./scoring.js";
import {
  type AgentSearchResult,
  NO_EXCLUSIONS,
  noWinner,
  type SearchContext,
} from "./search-types.js";

const ACCOUNT_PRESCORE_LIMIT = 32;

/**
 * Failure codes of `failCode`, in failedConstraint's order and with its names (the walk only
 * sees ready agents of the contact's channel with no agentOnly, so those checks are omitted).
 */
const OK = 0;
const EXCLUDED = 9;
const NAMES = [
  "",
  "account-team",
  "channel",
  "skill",
  "proficiency",
  "complexity",
  "language",
  "intermediary",
  "team",
  "declined-or-missed-before",
] as const;

/**
 * The state of one search, kept in one reused object: the walk visits agents through a method
 * instead of a per-search closure, and the tally and cursors are typed scratch arrays, so a
 * search allocates nothing unless it returns a no-match explanation.
 */
class Walk {
  req!: Requirement;
  c!: ContactRecord;
  w!: ScoringWeights;
  nowMs = 0;
  ch = 0;
  stamp = 0;
  best: AgentRecord | null = null;
  bestScore = Number.NEGATIVE_INFINITY;
  /** The best agent's ready seq on this channel (ties go to the earlier one). */
  bestSeq = 0;
  /** The best agent's proficiency margin and ready-since time: its score's raw terms. */
  bestMargin = 0;
  bestSinceMs = 0;
  /** The requirement's language has a tag bit (or there is none): the tag test proved it. */
  languageInTag = true;
  /**
   * The requirement skill whose level lists the walk comes from (-1 if none): an agent met on
   * a list of level l has that skill at level l, so its level need not be read.
   */
  knownSkill = -1;
  /** visitNode must read the profile: a language without a tag bit, an intermediary, teams. */
  profileCheck = false;
  /**
   * Every agent considered, in encounter order. Exclusions are only reported when nobody is
   * eligible, so the walk does not tally: a no-match re-checks `seen` in order at the end.
   */
  readonly seen: (AgentRecord | null)[] = [];
  /**
   * Length of `seen` in this search: the array is reused at its high-water size (truncating it
   * by `length = 0` is a runtime call per search, and the next push grows it again); its used
   * slots are cleared (`forget`) when the search ends.
   */
  nSeen = 0;
  /** The node tag of each entry of `seen` (agent-index.ts), for explaining a no-match. */
  seenTags = new Int32Array(64);
  /** The first nPre of `seen` were scored before the walk (preferred agent, account team). */
  nPre = 0;
  /** Tag test (agent-index.ts): bits a node's tag must all have, and the least tier. */
  needBits = 0;
  minTier = 0;
  /** Dense skill ids and minimums of the requirement (-1 = a skill no agent has). */
  ids = new Int32Array(16);
  mins = new Int32Array(16);
  nSkills = 0;
  /**
   * Per required skill: its lists on the channel (looked up once per search, not once per use)
   * and the highest level with a ready agent at or above the minimum (the minimum if none).
   */
  readonly skillLists: (SkillLists | undefined)[] = [];
  tops = new Int32Array(16);
  /** Exclusion counts by code, and codes in first-seen order (deterministic explanations). */
  readonly counts = new Int32Array(NAMES.length);
  readonly order: number[] = [];
  /**
   * Per cursor: its node, its margin, its list's level of the known skill (0 if not a skill
   * list), and the bound of its node (cached until it moves).
   */
  readonly curNode: (ListNode<AgentRecord> | null)[] = [];
  readonly curMargin: number[] = [];
  readonly curLevel: number[] = [];
  readonly curBound: number[] = [];
  nCur = 0;
  accountBound = 0;

  /** Considers an agent before the walk; stamped so the walk does not consider it again. */
  preVisit(a: AgentRecord): void {
    a.stamp = this.stamp;
    this.nPre++;
    this.visit(a, a.tag);
  }

  see(a: AgentRecord, tag: number): void {
    const n = this.nSeen++;
    if (n < this.seen.length) this.seen[n] = a;
    else this.seen.push(a);
    if (n === this.seenTags.length) {
      const grown = new Int32Array(n * 2);
      grown.set(this.seenTags);
      this.seenTags = grown;
    }
    this.seenTags[n] = tag;
  }

  /** Drops the references of this search, so a finished search keeps no agents alive. */
  forget(): void {
    const seen = this.seen;
    for (let i = 0; i < this.nSeen; i++) seen[i] = null;
    this.nSeen = 0;
  }

  /** Was this agent considered before the walk (compares references only, O(nPre)). */
  isPre(a: AgentRecord): boolean {
    for (let i = 0; i < this.nPre; i++) if (this.seen[i] === a) return true;
    return false;
  }

  /** Considers an agent met before the walk: every constraint checked on its record. */
  visit(a: AgentRecord, tag: number): void {
    this.see(a, tag);
    if (failCode(a, this.req, this.ids, this.mins, this.nSkills) !== OK) return;
    if (this.c.excluded.size > 0 && this.c.excluded.has(a.id)) return;
    const ch = this.ch;
    let margin = 0;
    for (let i = 0; i < this.nSkills; i++) {
      margin += (a.levels[this.ids[i] as number] as number) - (this.mins[i] as number);
    }
    this.offer(a, margin, a.readySinceMs[ch] ?? this.nowMs, seqOf(a, ch));
  }

  /**
   * Considers an agent met on the walk, whose node passed the tag test. Its node proves what
   * failCode would check first and the tag exactly: it works this channel (lists are per
   * channel), it is in the account team when the requirement has one (the walk then comes
   * from that team's list), its tier is high enough, it speaks a language with a tag bit,
   * and it has the known skill at the list's level `knownLevel` (at least the minimum). So only
   * the other skills' levels are read (for a one-skill requirement walked on its own lists, no
   * part of the agent is), and the profile only for a language without a tag bit, an
   * intermediary or a team restriction. Idle time and ready seq come from the node.
   */
  visitNode(node: ListNode<AgentRecord>, knownLevel: number): void {
    const a = node.item;
    this.see(a, node.tag);
    let margin = 0;
    for (let i = 0; i < this.nSkills; i++) {
      const min = this.mins[i] as number;
      let l = knownLevel;
      if (i !== this.knownSkill) {
        const levels = a.levels;
        const id = this.ids[i] as number;
        l = id >= 0 && id < levels.length ? (levels[id] as number) : 0;
        if (l === 0 || l < min) return;
      }
      margin += l - min;
    }
    const req = this.req;
    if (this.profileCheck) {
      const p = a.profile;
      if (!this.languageInTag && req.language !== null && !p.languages.has(req.language)) return;
      if (
        req.intermediaryKind !== null &&
        !p.authKinds.has(req.intermediaryKind) &&
        !p.authIntermediaryIds.has(req.intermediaryId ?? "")
      ) {
        return;
      }
      if (req.teams !== null && !req.teams.has(p.team)) return;
    }
    if (this.c.excluded.size > 0 && this.c.excluded.has(a.id)) return;
    this.offer(a, margin, node.sinceMs, node.seq);
  }

  /**
   * Scores an eligible agent from its proficiency margin and ready-since time, and keeps it if
   * it beats the best so far (score, then earlier ready seq).
   */
  offer(a: AgentRecord, margin: number, sinceMs: number, seq: number): void {
    const score = scoreFast(a, this, sinceMs, margin);
    if (
      this.best === null ||
      score > this.bestScore ||
      (score === this.bestScore && seq < this.bestSeq)
    ) {
      this.best = a;
      this.bestScore = score;
      this.bestSeq = seq;
      this.bestMargin = margin;
      this.bestSinceMs = sinceMs;
    }
  }

  addList(list: ReadyList<AgentRecord> | undefined, margin: number, level: number): number {
    if (list !== undefined && list.head !== null) {
      this.curMargin[this.nCur] = margin;
      this.curLevel[this.nCur] = level;
      this.setCursor(this.nCur, list.head);
      this.nCur++;
    }
    return list?.size ?? 0;
  }

  /**
   * Upper bound of any agent from this node on: its idle (the list is in idle order) plus the
   * cursor's margin — the same terms in the same order as scoreOf, so never below a score.
   */
  setCursor(i: number, node: ListNode<AgentRecord> | null): void {
    this.curNode[i] = node;
    if (node === null) return;
    const w = this.w;
    let b = w.idlePerSec * ((this.nowMs - node.sinceMs) / 1000);
    b += w.proficiency * (this.curMargin[i] as number);
    b += w.accountOwner * this.accountBound;
    this.curBound[i] = b;
  }
}

const walk = new Walk();

/** failedConstraint on dense skill levels: a typed-array read per skill instead of a Map. */
function failCode(
  a: AgentRecord,
  req: Requirement,
  ids: Int32Array,
  mins: Int32Array,
  n: number,
): number {
  const p = a.profile;
  if (req.accountOnly !== null && !p.authAccountIds.has(req.accountOnly)) return 1;
  if (p.channels[req.channel] !== true) return 2;
  const levels = a.levels;
  for (let i = 0; i < n; i++) {
    const id = ids[i] as number;
    const l = id >= 0 && id < levels.length ? (levels[id] as number) : 0;
    if (l === 0) return 3;
    if (l < (mins[i] as number)) return 4;
  }
  if (p.tier < req.complexity) return 5;
  if (req.language !== null && !p.languages.has(req.language)) return 6;
  return authorizationCode(p, req);
}

/** The constraints only the profile can tell: intermediary authorization (7), team (8). */
function authorizationCode(p: AgentRecord["profile"], req: Requirement): number {
  if (
    req.intermediaryKind !== null &&
    !p.authKinds.has(req.intermediaryKind) &&
    !p.authIntermediaryIds.has(req.intermediaryId ?? "")
  ) {
    return 7;
  }
  if (req.teams !== null && !req.teams.has(p.team)) return 8;
  return OK;
}

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
 * scoreOf for an eligible agent whose proficiency margin the caller summed from its levels:
 * same terms in the same order (so the same float).
 */
function scoreFast(a: AgentRecord, s: Walk, sinceMs: number, margin: number): number {
  const w = s.w;
  const c = s.c;
  let score = w.idlePerSec * ((s.nowMs - sinceMs) / 1000);
  score += w.proficiency * margin;
  score +=
    w.accountOwner *
    (c.c.accountId !== null && a.profile.authAccountIds.has(c.c.accountId) ? 1 : 0);
  // The null test first: most contacts have no preferred agent, and then `a` is not read.
  score += w.preferredAgent * (c.preferredAgentId !== null && c.preferredAgentId === a.id ? 1 : 0);
  return score;
}

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
  const considered = s.nSeen;
  s.best = null;
  if (winner !== null) {
    s.forget();
    return {
      winner,
      score: s.bestScore,
      margin: s.bestMargin,
      idleSeconds: (nowMs - s.bestSinceMs) / 1000,
      considered,
      exclusions: NO_EXCLUSIONS,
      cached: false,
    };
  }
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

function seqOf(a: AgentRecord, ch: number): number {
  return a.readySeq[ch] ?? 0;
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
      return {
        winner: a,
        score: scoreOf(a, c, w, nowMs),
        margin: proficiencyMargin(a, c.req),
        idleSeconds: idleSeconds(a, c.req.channel, nowMs),
        considered: 1,
        exclusions: NO_EXCLUSIONS,
        cached: false,
      };
    }
    // `failed` is never "reserved-for-agent": `a` is the agent the contact is reserved for.
    const own: Exclusion = { constraint: failed, agentsExcluded: 1 };
    return noWinner(1, reserved === null ? [own] : [reserved, own]);
  }
  return noWinner(0, reserved === null ? [] : [reserved]);
}
