/**
 * Routing configuration in, normalized queues and rules out (or INVALID_ARGUMENT naming the
 * field). Runs on `configure` and at engine creation only.
 *
 * Complexity: O(Q · S + R · V) for Q queues of S escalation steps and R rules of V values.
 */
import type {
  EscalationStep,
  QueueConfig,
  RoutingConfig,
  RoutingRule,
  ScoringWeights,
} from "./config-types.js";
import { CHANNELS, INTERMEDIARY_KINDS } from "./domain.js";
import { invalid } from "./errors.js";
import { checkId, checkIdList, checkInt, checkNumber, checkOneOf } from "./validate-util.js";

export interface NormalizedQueue {
  readonly id: string;
  readonly priority: number;
  readonly agingIntervalMs: number;
  readonly offerTimeoutMs: number;
  readonly wrapUpMs: number;
  /** null = every team. */
  readonly teams: readonly string[] | null;
  readonly steps: readonly EscalationStep[];
  readonly scoring: ScoringWeights;
  readonly preferredAgentWaitMs: number;
  readonly preferredAgentWindowMs: number;
  readonly accountTeamWaitMs: number;
  readonly targetAnswerMs: number;
}

export interface NormalizedRouting {
  readonly source: RoutingConfig;
  readonly queues: ReadonlyMap<string, NormalizedQueue>;
  readonly rules: readonly RoutingRule[];
  readonly defaultQueueId: string;
}

const MAX_MS = 365 * 24 * 3_600_000;

export const DEFAULT_ROUTING: RoutingConfig = {
  queues: [{ id: "default" }],
  rules: [],
  defaultQueueId: "default",
};

function normalizeQueue(q: QueueConfig, at: string): NormalizedQueue {
  const id = checkId(q?.id, `${at}.id`);
  const scoring: ScoringWeights = {
    preferredAgent: q.scoring?.preferredAgent ?? 100,
    accountOwner: q.scoring?.accountOwner ?? 50,
    proficiency: q.scoring?.proficiency ?? 10,
    idlePerSec: q.scoring?.idlePerSec ?? 1,
  };
  for (const [k, v] of Object.entries(scoring)) checkNumber(v, `${at}.scoring.${k}`, 0, 1e6);
  const steps = q.escalation ?? [];
  if (!Array.isArray(steps)) throw invalid(`${at}.escalation must be a list`);
  let last = 0;
  steps.forEach((s, i) => {
    const sat = `${at}.escalation[${i}]`;
    checkInt(s?.afterMs, `${sat}.afterMs`, 1, MAX_MS);
    if (s.afterMs <= last) throw invalid(`${sat}.afterMs must increase step by step`);
    last = s.afterMs;
    if (s.lowerMinProficiencyBy !== undefined) {
      checkInt(s.lowerMinProficiencyBy, `${sat}.lowerMinProficiencyBy`, 0, 4);
    }
    checkIdList(s.addTeams, `${sat}.addTeams`);
    if (s.overflowToQueueId !== undefined) checkId(s.overflowToQueueId, `${sat}.overflowToQueueId`);
  });
  const queue: NormalizedQueue = {
    id,
    priority: q.priority ?? 0,
    agingIntervalMs: q.agingIntervalMs ?? 10_000,
    offerTimeoutMs: q.offerTimeoutMs ?? 30_000,
    wrapUpMs: q.wrapUpMs ?? 30_000,
    teams: q.teams === undefined ? null : checkIdList(q.teams, `${at}.teams`),
    steps: steps.map((s) => ({ ...s })),
    scoring,
    preferredAgentWaitMs: q.preferredAgentWaitMs ?? 20_000,
    preferredAgentWindowMs: q.preferredAgentWindowMs ?? 7 * 24 * 3_600_000,
    accountTeamWaitMs: q.accountTeamWaitMs ?? 60_000,
    targetAnswerMs: q.targetAnswerMs ?? 20_000,
  };
  checkInt(queue.priority, `${at}.priority`, -1000, 1000);
  checkInt(queue.agingIntervalMs, `${at}.agingIntervalMs`, 0, MAX_MS);
  checkInt(queue.offerTimeoutMs, `${at}.offerTimeoutMs`, 1, MAX_MS);
  checkInt(queue.wrapUpMs, `${at}.wrapUpMs`, 0, MAX_MS);
  checkInt(queue.preferredAgentWaitMs, `${at}.preferredAgentWaitMs`, 0, MAX_MS);
  checkInt(queue.preferredAgentWindowMs, `${at}.preferredAgentWindowMs`, 0, 10 * MAX_MS);
  checkInt(queue.accountTeamWaitMs, `${at}.accountTeamWaitMs`, 0, MAX_MS);
  checkInt(queue.targetAnswerMs, `${at}.targetAnswerMs`, 0, MAX_MS);
  return queue;
}

function validateRule(r: RoutingRule, at: string, queues: ReadonlyMap<string, NormalizedQueue>) {
  checkId(r?.id, `${at}.id`);
  const queueId = checkId(r.queueId, `${at}.queueId`);
  if (!queues.has(queueId)) throw invalid(`${at}.queueId ${queueId} is not a configured queue`);
  const w = r.when;
  if (typeof w !== "object" || w === null) throw invalid(`${at}.when must be an object`);
  (w.channels ?? []).forEach((c, i) => {
    checkOneOf(c, `${at}.when.channels[${i}]`, CHANNELS);
  });
  (w.intermediaryKinds ?? []).forEach((k, i) => {
    checkOneOf(k, `${at}.when.intermediaryKinds[${i}]`, INTERMEDIARY_KINDS);
  });
  checkIdList(w.skillsAll, `${at}.when.skillsAll`);
  checkIdList(w.skillsAny, `${at}.when.skillsAny`);
  checkIdList(w.languages, `${at}.when.languages`);
  checkIdList(w.accountIds, `${at}.when.accountIds`);
  if (w.minPriority !== undefined)
    checkInt(w.minPriority, `${at}.when.minPriority`, -10_000, 10_000);
  for (const [k, v] of Object.entries(w.attributes ?? {})) {
    if (typeof v !== "string") throw invalid(`${at}.when.attributes.${k} must be a string`);
  }
}

export function normalizeRouting(config: RoutingConfig): NormalizedRouting {
  if (typeof config !== "object" || config === null) throw invalid("routing must be an object");
  if (!Array.isArray(config.queues) || config.queues.length === 0) {
    throw invalid("routing.queues must list at least one queue");
  }
  const queues = new Map<string, NormalizedQueue>();
  config.queues.forEach((q, i) => {
    const nq = normalizeQueue(q, `routing.queues[${i}]`);
    if (queues.has(nq.id)) throw invalid(`routing.queues has ${nq.id} twice`);
    queues.set(nq.id, nq);
  });
  for (const q of queues.values()) {
    q.steps.forEach((s, i) => {
      if (s.overflowToQueueId !== undefined && !queues.has(s.overflowToQueueId)) {
        throw invalid(
          `queue ${q.id} escalation[${i}] overflows to unknown queue ${s.overflowToQueueId}`,
        );
      }
    });
  }
  const defaultQueueId = checkId(config.defaultQueueId, "routing.defaultQueueId");
  if (!queues.has(defaultQueueId)) {
    throw invalid(`routing.defaultQueueId ${defaultQueueId} is not a configured queue`);
  }
  if (!Array.isArray(config.rules)) throw invalid("routing.rules must be a list");
  const ruleIds = new Set<string>();
  config.rules.forEach((r, i) => {
    validateRule(r, `routing.rules[${i}]`, queues);
    if (ruleIds.has(r.id)) throw invalid(`routing.rules has ${r.id} twice`);
    ruleIds.add(r.id);
  });
  const source = structuredClone(config) as RoutingConfig;
  return {
    source,
    queues,
    rules: source.rules,
    defaultQueueId,
  };
}
