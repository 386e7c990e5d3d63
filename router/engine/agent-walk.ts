/**
 * The agent walk's state and its per-agent checks (agent-search.ts drives it): one reused
 * object holding the requirement as dense skill ids and minimums, the cursors over the ready
 * lists with their cached bounds, the best agent so far, and every agent considered in
 * encounter order (a no-match explains from them, no-match-explanation.ts). An agent met on a
 * list is checked from what its node proves plus one typed-array read per other required
 * skill; one met before the walk (preferred agent, account team) on its whole record.
 *
 * Complexity: visit / visitNode O(s) for s required skills (the profile's Sets only for an
 * untagged language, an intermediary or teams); see O(1) amortized; isPre O(pre-scored agents).
 */

import type { SkillLists } from "./agent-index.js";
import type { ScoringWeights } from "./config-types.js";
import type { ListNode, ReadyList } from "./ready-list.js";
import type { AgentRecord, ContactRecord } from "./records.js";
import type { Requirement } from "./requirements.js";

/**
 * Failure codes of `failCode`, in failedConstraint's order and with its names (the walk only
 * sees ready agents of the contact's channel with no agentOnly, so those checks are omitted).
 */
export const OK = 0;
export const EXCLUDED = 9;
export const NAMES = [
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
export class Walk {
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

/** The one search state, reused by every search (searches never nest). */
export const walk = new Walk();

/** failedConstraint on dense skill levels: a typed-array read per skill instead of a Map. */
export function failCode(
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
export function authorizationCode(p: AgentRecord["profile"], req: Requirement): number {
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

function seqOf(a: AgentRecord, ch: number): number {
  return a.readySeq[ch] ?? 0;
}
