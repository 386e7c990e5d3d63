/**
 * Routing policies to compare on the same trace. `switchboard` runs the scenario's routing as
 * configured (preferred agent, account team, proficiency and idle scoring, priority boosts and
 * aging, escalation). `fifo` configures the same engine as a classic ACD: every soft-score weight
 * 0 except idle time (so the longest-idle eligible agent wins), no preferred-agent or account-team
 * waiting, no repeat or loyalty boosts, no queue priorities, no aging and no escalation steps —
 * waiting contacts are then served in arrival order. Hard constraints (skills, proficiency,
 * complexity, language, intermediary, capacity) stay, since they are not a policy choice.
 */
import type { QueueConfig, RouterEngineOptions, RoutingConfig } from "../router/index.js";
import type { PolicyName, Scenario } from "./scenario-types.js";

export interface PolicySetup {
  readonly engineOptions: RouterEngineOptions;
  readonly routing: RoutingConfig;
  /** Whether contacts keep their stream priority. */
  readonly contactPriority: boolean;
}

export function policySetup(s: Scenario, policy: PolicyName): PolicySetup {
  if (policy === "switchboard") {
    return {
      engineOptions: { ...s.engine, routing: s.routing },
      routing: s.routing,
      contactPriority: true,
    };
  }
  const queues: QueueConfig[] = s.routing.queues.map((q) => ({
    id: q.id,
    ...(q.offerTimeoutMs === undefined ? {} : { offerTimeoutMs: q.offerTimeoutMs }),
    ...(q.wrapUpMs === undefined ? {} : { wrapUpMs: q.wrapUpMs }),
    ...(q.teams === undefined ? {} : { teams: q.teams }),
    ...(q.targetAnswerMs === undefined ? {} : { targetAnswerMs: q.targetAnswerMs }),
    priority: 0,
    agingIntervalMs: 0,
    escalation: [],
    scoring: { preferredAgent: 0, accountOwner: 0, proficiency: 0, idlePerSec: 1 },
    preferredAgentWaitMs: 0,
    accountTeamWaitMs: 0,
  }));
  const routing: RoutingConfig = { ...s.routing, queues };
  return {
    engineOptions: { ...s.engine, repeatPriorityBoost: 0, loyaltyPriority: {}, routing },
    routing,
    contactPriority: false,
  };
}
