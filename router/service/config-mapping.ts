import { durationMs } from "@bufbuild/protobuf/wkt";
import { channelName } from "../../core/index.js";
import type {
  Agent,
  RoutingRule as ProtoRule,
  EscalationStep as ProtoStep,
  Queue,
} from "../../proto/index.js";
import type {
  EscalationStep,
  QueueConfig,
  RoutingConfig,
  RoutingRule,
} from "../engine/config-types.js";
import type { AgentProfile, Channel, IntermediaryKind } from "../engine/domain.js";
import { intermediaryKindName } from "./contact-mapping.js";

const kinds = (list: readonly number[]): IntermediaryKind[] =>
  list.flatMap((k) => intermediaryKindName(k) ?? []);

/**
 * An AdminService agent as an engine profile. Capacity: each channel's weight is
 * load_weight / load_capacity (proto defaults: capacity 100, weight capacity / max_concurrent).
 * No channel capacities at all means every channel at the engine's default weights, so a
 * freshly created agent is usable; listing some limits the agent to those.
 */
export function agentToProfile(agent: Agent): AgentProfile {
  const capacity = agent.loadCapacity === 0 ? 100 : agent.loadCapacity;
  const channels: Channel[] = [];
  const channelWeights: Partial<Record<Channel, number>> = {};
  for (const c of agent.channelCapacities) {
    const channel = channelName(c.channel, "agent.channel_capacities.channel");
    const weight = c.loadWeight === 0 ? capacity / Math.max(1, c.maxConcurrent) : c.loadWeight;
    channels.push(channel);
    channelWeights[channel] = Math.min(
      1,
      Math.max(0.001, Math.round((weight / capacity) * 1000) / 1000),
    );
  }
  const auth = agent.authorizations;
  return {
    id: agent.id,
    skills: agent.skills.map((s) => ({
      skill: s.skill,
      proficiency: Math.min(5, Math.max(1, s.proficiency)),
    })),
    // proto: 0 means 1.
    complexityTier: Math.min(5, Math.max(1, agent.complexityTier)),
    languages: [...agent.languages],
    ...(channels.length > 0 ? { channels, channelWeights } : {}),
    ...(agent.team === "" ? {} : { team: agent.team }),
    ...(auth
      ? {
          authorizations: {
            intermediaryKinds: kinds(auth.intermediaryKinds),
            intermediaryIds: [...auth.intermediaryIds],
            accountIds: [...auth.accountIds],
          },
        }
      : {}),
  };
}

function stepToEngine(step: ProtoStep, knownQueues: ReadonlySet<string>): EscalationStep {
  return {
    afterMs: step.after ? durationMs(step.after) : 0,
    lowerMinProficiencyBy: Math.min(4, step.lowerMinProficiencyBy),
    dropOptionalSkills: step.dropOptionalSkills,
    addTeams: [...step.addTeams],
    anyTeam: step.allTeams,
    // An overflow to a queue that does not exist (yet) is dropped rather than failing the config.
    ...(step.overflowQueueId !== "" && knownQueues.has(step.overflowQueueId)
      ? { overflowToQueueId: step.overflowQueueId }
      : {}),
  };
}

/** proto defaults where they differ from the engine's: aging and wrap-up 0 = off, preference wait 0. */
export function queueToConfig(queue: Queue, knownQueues: ReadonlySet<string>): QueueConfig {
  const ms = (d: Parameters<typeof durationMs>[0] | undefined, fallback: number): number =>
    d === undefined ? fallback : durationMs(d);
  return {
    id: queue.id,
    priority: Math.min(1000, queue.priority),
    agingIntervalMs:
      queue.priorityAgingPerMinute > 0
        ? Math.max(1, Math.round(60_000 / queue.priorityAgingPerMinute))
        : 0,
    offerTimeoutMs: Math.max(1, ms(queue.offerTimeout, 30_000)),
    wrapUpMs: ms(queue.wrapUp, 0),
    ...(queue.teams.length > 0 ? { teams: [...queue.teams] } : {}),
    escalation: [...queue.escalationSteps]
      .map((s) => stepToEngine(s, knownQueues))
      .filter((s) => s.afterMs > 0)
      .sort((a, b) => a.afterMs - b.afterMs),
    preferredAgentWaitMs: ms(queue.preferredAgentWait, 0),
    preferredAgentWindowMs: ms(queue.preferredAgentLookback, 30 * 24 * 3_600_000),
    targetAnswerMs: ms(queue.serviceLevel?.threshold, 20_000),
  };
}

export function ruleToEngine(rule: ProtoRule): RoutingRule {
  const m = rule.match;
  return {
    id: rule.id,
    queueId: rule.queueId,
    when: {
      ...(m && m.channels.length > 0 ? { channels: m.channels.map((c) => channelName(c)) } : {}),
      ...(m && m.skills.length > 0 ? { skillsAll: [...m.skills] } : {}),
      ...(m && m.languages.length > 0 ? { languages: [...m.languages] } : {}),
      ...(m && m.accountIds.length > 0 ? { accountIds: [...m.accountIds] } : {}),
      ...(m?.institutional === undefined ? {} : { institutional: m.institutional }),
      ...(m && m.intermediaryKinds.length > 0
        ? { intermediaryKinds: kinds(m.intermediaryKinds) }
        : {}),
      ...(m?.hasIntermediary === undefined ? {} : { intermediaryPresent: m.hasIntermediary }),
      ...(m && Object.keys(m.metadata).length > 0 ? { attributes: { ...m.metadata } } : {}),
    },
  };
}

export interface MappedRouting {
  readonly routing: RoutingConfig;
  /** Rules left out because their queue does not exist, for a warning. */
  readonly skippedRuleIds: readonly string[];
}

export const DEFAULT_QUEUE_ID = "default";

/**
 * The stored queues and rules as one engine config. A queue named "default" (created when
 * absent) catches contacts no rule matches; disabled rules and rules pointing at a missing
 * queue are left out so one bad admin edit cannot stop routing.
 */
export function buildRoutingConfig(
  queues: readonly Queue[],
  rules: readonly ProtoRule[],
): MappedRouting {
  const ids = new Set(queues.map((q) => q.id));
  ids.add(DEFAULT_QUEUE_ID);
  const mapped = queues.map((q) => queueToConfig(q, ids));
  if (!queues.some((q) => q.id === DEFAULT_QUEUE_ID))
    mapped.push({ id: DEFAULT_QUEUE_ID, wrapUpMs: 0, agingIntervalMs: 0 });
  const active = rules
    .filter((r) => !r.disabled)
    .sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const skippedRuleIds = active.filter((r) => !ids.has(r.queueId)).map((r) => r.id);
  return {
    routing: {
      queues: mapped,
      rules: active.filter((r) => ids.has(r.queueId)).map(ruleToEngine),
      defaultQueueId: DEFAULT_QUEUE_ID,
    },
    skippedRuleIds,
  };
}
