/**
 * The quick single-queue scenario behind `simulate --arrivals-per-hour … --agents …`: one
 * Poisson voice stream at a flat rate, exponential handling, optional exponential patience,
 * one always-on team without skills, agents who accept every offer at once and no wrap-up —
 * exactly the M/M/n (Erlang C) or M/M/n+M (Erlang A) model, so the two can be compared.
 */
import type { Scenario } from "./scenario-types.js";

export interface QuickScenarioOptions {
  readonly arrivalsPerHour: number;
  readonly ahtS: number;
  readonly agents: number;
  /** Mean exponential patience; absent = nobody abandons. */
  readonly patienceS?: number;
  readonly slThresholdS?: number;
  readonly hours: number;
  readonly seed?: number;
  /** Default: 1% of the run, at most 10 h. */
  readonly warmupHours?: number;
  /** Default: the whole run as one interval. */
  readonly intervalMinutes?: number;
}

export function quickScenario(o: QuickScenarioOptions): Scenario {
  return {
    name: `single queue: ${o.arrivalsPerHour}/h, AHT ${o.ahtS} s, ${o.agents} agents`,
    seed: o.seed ?? 1,
    durationHours: o.hours,
    warmupHours: o.warmupHours ?? Math.min(10, o.hours * 0.01),
    drainHours: 24,
    intervalMinutes: o.intervalMinutes ?? Math.max(1, Math.ceil(o.hours * 60)),
    slThresholdS: o.slThresholdS ?? 20,
    startWeekday: 0,
    routing: { queues: [{ id: "default" }], rules: [], defaultQueueId: "default" },
    // Every caller is a new customer here, so the engine's customer history would only cost time.
    engine: { historyCapacity: 0 },
    streams: [
      {
        id: "calls",
        channel: "VOICE",
        perHour: o.arrivalsPerHour,
        utcOffsetHours: 0,
        hourly: new Array<number>(24).fill(1),
        weekly: new Array<number>(7).fill(1),
        skillMix: [{ weight: 1, required: [], optional: [] }],
        complexity: [1, 0, 0, 0, 0],
        languages: [],
        languageWeights: [],
        intermediary: { share: 0, kinds: ["BROKER"], kindWeights: [1], ids: 1 },
        account: { share: 0, institutional: false, accounts: 1 },
        repeatShare: 0,
        priority: 0,
        attributes: {},
        handle: { dist: "exponential", meanS: o.ahtS },
        wrapUp: null,
        patience: o.patienceS === undefined ? null : { dist: "exponential", meanS: o.patienceS },
      },
    ],
    agentGroups: [
      {
        id: "agent",
        count: o.agents,
        utcOffsetHours: 0,
        shifts: [],
        skills: [],
        complexityTier: 5,
        languages: [],
        channels: ["VOICE"],
        team: null,
        authorizations: null,
      },
    ],
    behaviour: {
      rejectRate: 0,
      timeoutRate: 0,
      acceptDelay: { dist: "constant", meanS: 0 },
      rejectDelay: { dist: "constant", meanS: 0 },
      awayS: 0,
      sameAgentHandleFactor: 1,
    },
    policies: ["switchboard"],
  };
}
