/**
 * Freed agent → best waiting contact, on the waiting groups. Only groups filed under a skill
 * the agent has (or under no skill), and groups reserved for this agent, on a channel it has
 * room for are visited; a group's
 * eligibility is checked once for all its contacts, then its head is compared in the global
 * service order (contact-order.ts).
 *
 * Complexity: O(G · s) for G visited groups and s skills per requirement; O(g) extra for a
 * group whose head declined this agent before (rare).
 */
import { servedBefore } from "./contact-order.js";
import { canTake, failedConstraint } from "./eligibility.js";
import type { AgentRecord, ContactRecord, WaitGroup } from "./records.js";
import type { ContactSearchResult, SearchContext } from "./search-types.js";

export function searchContactIndexed(
  ctx: SearchContext,
  agent: AgentRecord,
  nowMs: number,
): ContactSearchResult {
  let best: ContactRecord | null = null;
  let considered = 0;
  const tag = agent.tag;
  for (let ch = 0; ch < ctx.waiting.byChannel.length; ch++) {
    // Room first: it reads only the agent, the lookups below read the waiting index's Maps.
    if (!canTake(agent, ch, ctx.capacityMilli)) continue;
    const buckets = ctx.waiting.byChannel[ch] as Map<string, Map<string, WaitGroup>>;
    const byAgent = ctx.waiting.reserved[ch] as Map<string, Map<string, WaitGroup>>;
    const reserved = byAgent.size === 0 ? undefined : byAgent.get(agent.id);
    if (buckets.size === 0 && reserved === undefined) continue;
    // The same visit for the agent's own reserved groups, the skill-less bucket and each of
    // the agent's skills, inlined as a loop (no per-call closure).
    const skills = agent.profile.skillNames;
    let k = 0;
    for (let bucket = reserved ?? buckets.get(""), own = reserved !== undefined; ; ) {
      if (bucket !== undefined) {
        for (const group of bucket.values()) {
          considered++;
          // The tag proves most ineligible groups without touching the agent's profile.
          if ((tag & 7) < group.minTier || (tag & group.needBits) !== group.needBits) continue;
          if (failedConstraint(agent.profile, group.req) !== null) continue;
          let head = group.heap.peek();
          if (head?.excluded.has(agent.id)) head = firstNotExcluding(group, agent);
          if (head !== undefined && (best === null || servedBefore(head, best, nowMs))) best = head;
        }
      }
      if (own) {
        own = false;
        bucket = buckets.get("");
        continue;
      }
      if (buckets.size === 0 || k === skills.length) break;
      bucket = buckets.get(skills[k++] as string);
    }
  }
  return { contact: best, considered };
}

function firstNotExcluding(group: WaitGroup, agent: AgentRecord): ContactRecord | undefined {
  let best: ContactRecord | undefined;
  for (const c of group.heap.items) {
    if (c.excluded.has(agent.id)) continue;
    if (best === undefined || servedBefore(c, best, 0)) best = c;
  }
  return best;
}
