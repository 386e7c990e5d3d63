/**
 * Contact → best agent, on the ready lists. Candidates come from the smallest of: the lists of
 * one required skill at levels ≥ its minimum, the contact's language list, the account-team
 * list, or all ready agents of the channel. Each list is in idle-since order, so it is walked
 * best-first with an upper bound per list (idle of its head + the most proficiency margin the
 * list allows) and stops as soon as no unseen agent can beat the best found — the same winner
 * a full scan would pick, usually after a handful of agents. The preferred agent and a small
 * account team are scored first, so their bonuses need not inflate every bound.
 *
 * Complexity: O(k · s) where k = agents examined (bounded by the chosen list) and s = skills
 * per contact; a repeat no-match for an unchanged signature is O(1) via the no-match cache.
 */
import type { ScoringWeights } from "./config-types.js";
import { CHANNELS } from "./domain.js";
import { canTake, failedConstraint } from "./eligibility.js";
import type { ListFamily, ListNode, ReadyList } from "./ready-list.js";
import type { AgentRecord, ContactRecord } from "./records.js";
import { idleSeconds, maxMargin, scoreOf } from "./scoring.js";
import { type AgentSearchResult, ExclusionTally, type SearchContext } from "./search-types.js";

const ACCOUNT_PRESCORE_LIMIT = 32;

interface Cursor {
  node: ListNode<AgentRecord> | null;
  readonly margin: number;
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
    return { winner: null, score: 0, considered: 0, exclusions: hit.exclusions, cached: true };
  }
  const stamp = ++ctx.stamp;
  const tally = new ExclusionTally();
  let best: AgentRecord | null = null;
  let bestScore = Number.NEGATIVE_INFINITY;
  let considered = 0;
  let excludedButEligible = false;
  const evaluate = (a: AgentRecord): void => {
    considered++;
    a.stamp = stamp;
    const failed = failedConstraint(a.profile, req);
    if (failed !== null) {
      tally.add(failed);
      return;
    }
    if (c.excluded.has(a.id)) {
      excludedButEligible = true;
      tally.add("declined-or-missed-before");
      return;
    }
    const s = scoreOf(a, c, w, nowMs);
    if (best === null || s > bestScore || (s === bestScore && seqOf(a, ch) < seqOf(best, ch))) {
      best = a;
      bestScore = s;
    }
  };

  if (c.preferredAgentId !== null) {
    const p = ctx.agents.get(c.preferredAgentId);
    if (p !== undefined && canTake(p, ch, ctx.capacityMilli)) evaluate(p);
  }
  let accountBound = 0;
  const accountList = c.c.accountId === null ? undefined : lists.accounts.get(c.c.accountId);
  if (accountList !== undefined && accountList.size > 0 && w.accountOwner > 0) {
    if (accountList.size <= ACCOUNT_PRESCORE_LIMIT) {
      for (let n = accountList.head; n !== null; n = n.next) evaluate(n.item);
    } else {
      accountBound = 1;
    }
  }

  const cursors: Cursor[] = [];
  let sourceSize: number;
  let sourceLabel: string;
  if (req.accountOnly !== null) {
    sourceSize = addList(cursors, accountList, maxMargin(req, -1));
    sourceLabel = `account team ${req.accountOnly}`;
  } else {
    sourceSize = lists.all.size;
    sourceLabel = "any skill";
    let skillIndex = -1;
    req.skills.forEach((s, i) => {
      const sl = lists.skills.get(s.skill);
      let size = 0;
      if (sl !== undefined)
        for (let l = s.min; l <= 5; l++) size += (sl.levels[l] as ReadyList<AgentRecord>).size;
      if (size < sourceSize || (skillIndex === -1 && size <= sourceSize)) {
        sourceSize = size;
        skillIndex = i;
      }
    });
    // Bound other skills by the best level actually ready, not by 5: fewer agents to walk.
    const otherMargin = (skip: number): number => {
      let sum = 0;
      req.skills.forEach((s, i) => {
        if (i === skip) return;
        const sl = lists.skills.get(s.skill);
        let top = s.min;
        if (sl !== undefined) {
          for (let l = 5; l > s.min; l--) {
            if ((sl.levels[l] as ReadyList<AgentRecord>).size > 0) {
              top = l;
              break;
            }
          }
        }
        sum += top - s.min;
      });
      return sum;
    };
    const languageList = req.language === null ? undefined : lists.languages.get(req.language);
    const languageSize =
      req.language === null ? Number.POSITIVE_INFINITY : (languageList?.size ?? 0);
    if (languageSize < sourceSize) {
      sourceSize = addList(cursors, languageList, otherMargin(-1));
      sourceLabel = `language ${req.language}`;
    } else if (skillIndex >= 0) {
      const s = req.skills[skillIndex] as { skill: string; min: number };
      const sl = lists.skills.get(s.skill);
      const others = otherMargin(skillIndex);
      if (sl !== undefined) {
        for (let l = 5; l >= s.min; l--) addList(cursors, sl.levels[l], l - s.min + others);
      }
      sourceLabel = `skill ${s.skill}>=${s.min}`;
    } else {
      addList(cursors, lists.all, otherMargin(-1));
    }
  }

  for (;;) {
    let pick: Cursor | null = null;
    let pickBound = 0;
    for (const cur of cursors) {
      if (cur.node === null) continue;
      const a = cur.node.item;
      let b = w.idlePerSec * idleSeconds(a, ch, nowMs);
      b += w.proficiency * cur.margin;
      b += w.accountOwner * accountBound;
      if (
        pick === null ||
        b > pickBound ||
        (b === pickBound && seqOf(a, ch) < seqOf((pick.node as ListNode<AgentRecord>).item, ch))
      ) {
        pick = cur;
        pickBound = b;
      }
    }
    if (pick === null) break;
    const node = pick.node as ListNode<AgentRecord>;
    if (
      best !== null &&
      !(
        pickBound > bestScore ||
        (pickBound === bestScore && seqOf(node.item, ch) < seqOf(best, ch))
      )
    ) {
      break;
    }
    pick.node = node.next;
    if (node.item.stamp !== stamp) evaluate(node.item);
  }

  const winner = best as AgentRecord | null;
  if (winner !== null) {
    return { winner, score: bestScore, considered, exclusions: [], cached: false };
  }
  tally.add(`not ready on ${CHANNELS[ch]} with ${sourceLabel}`, ctx.agents.size - sourceSize);
  const exclusions = tally.toList();
  if (!excludedButEligible) {
    const families: ListFamily[] = req.skills.map((s) => ctx.index.family(`${ch}|s|${s.skill}`));
    if (req.language !== null) families.push(ctx.index.family(`${ch}|l|${req.language}`));
    if (req.accountOnly !== null) families.push(ctx.index.family(`${ch}|a|${req.accountOnly}`));
    ctx.cache.set(req.signature, {
      families,
      counts: families.map((f) => f.inserts),
      considered,
      exclusions,
    });
  }
  return { winner: null, score: 0, considered, exclusions, cached: false };
}

function seqOf(a: AgentRecord, ch: number): number {
  return a.readySeq[ch] ?? 0;
}

function addList(cursors: Cursor[], list: ReadyList<AgentRecord> | undefined, margin: number) {
  if (list !== undefined && list.head !== null) cursors.push({ node: list.head, margin });
  return list?.size ?? 0;
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
  const tally = new ExclusionTally();
  tally.add("reserved-for-agent", ctx.agents.size - (a === undefined ? 0 : 1));
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
        considered: 1,
        exclusions: [],
        cached: false,
      };
    }
    tally.add(failed);
  }
  return {
    winner: null,
    score: 0,
    considered: a === undefined ? 0 : 1,
    exclusions: tally.toList(),
    cached: false,
  };
}
