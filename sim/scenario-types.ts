/**
 * A normalized simulation scenario: every default applied, every field validated
 * (scenario-normalize.ts). The file format (YAML or JSON) is documented in sim/README.md and
 * shown in sim/examples/; it maps one to one onto these types.
 */
import type {
  AgentAuthorizations,
  AgentSkill,
  Channel,
  IntermediaryKind,
  RouterEngineOptions,
  RoutingConfig,
  SkillRequirement,
} from "../router/index.js";

/** A distribution in seconds. */
export type DurationDist =
  | { readonly dist: "exponential"; readonly meanS: number }
  | { readonly dist: "lognormal"; readonly meanS: number; readonly cv: number }
  | { readonly dist: "constant"; readonly meanS: number };

export interface SkillMixEntry {
  readonly weight: number;
  readonly required: readonly SkillRequirement[];
  readonly optional: readonly SkillRequirement[];
}

/** One arrival stream: a channel, a rate profile in its own time zone, and a contact mix. */
export interface StreamSpec {
  readonly id: string;
  readonly channel: Channel;
  /** Contacts per hour at profile weight 1. */
  readonly perHour: number;
  /** Fixed offset of the stream's local time from UTC (no daylight saving). */
  readonly utcOffsetHours: number;
  /** 24 multipliers by local hour. */
  readonly hourly: readonly number[];
  /** 7 multipliers by local weekday, Monday first. */
  readonly weekly: readonly number[];
  readonly skillMix: readonly SkillMixEntry[];
  /** Weights of complexity 1..5. */
  readonly complexity: readonly number[];
  readonly languages: readonly string[];
  readonly languageWeights: readonly number[];
  /** Share of contacts with a present intermediary, its kinds and how many distinct ids. */
  readonly intermediary: {
    readonly share: number;
    readonly kinds: readonly IntermediaryKind[];
    readonly kindWeights: readonly number[];
    readonly ids: number;
  };
  /** Share of contacts from an account `acct-<k>`, k < accounts. */
  readonly account: {
    readonly share: number;
    readonly institutional: boolean;
    readonly accounts: number;
  };
  /** Share of contacts from a recent customer of this stream (a candidate repeat contact). */
  readonly repeatShare: number;
  readonly priority: number;
  readonly attributes: Readonly<Record<string, string>>;
  readonly handle: DurationDist;
  /** null = no wrap-up: the agent completes as soon as handling ends. */
  readonly wrapUp: DurationDist | null;
  /** null = infinitely patient. */
  readonly patience: DurationDist | null;
}

/** A shift in the group's local time. */
export interface ShiftSpec {
  /** 0 = Monday … 6 = Sunday. */
  readonly days: readonly number[];
  readonly startMinute: number;
  readonly durationMinutes: number;
}

export interface AgentGroupSpec {
  readonly id: string;
  readonly count: number;
  readonly utcOffsetHours: number;
  /** Empty = logged in around the clock. */
  readonly shifts: readonly ShiftSpec[];
  readonly skills: readonly AgentSkill[];
  readonly complexityTier: number;
  readonly languages: readonly string[];
  readonly channels: readonly Channel[];
  readonly team: string | null;
  readonly authorizations: AgentAuthorizations | null;
}

export interface BehaviourSpec {
  /** Share of offers the agent rejects. */
  readonly rejectRate: number;
  /** Share of offers the agent lets time out (the queue's offerTimeoutMs). */
  readonly timeoutRate: number;
  readonly acceptDelay: DurationDist;
  readonly rejectDelay: DurationDist;
  /** How long an agent the engine set AWAY for missed offers stays away. */
  readonly awayS: number;
  /** Handle-time multiplier when a repeat contact reaches the agent who served it last. */
  readonly sameAgentHandleFactor: number;
}

/** `switchboard`: the configured scoring; `fifo`: FIFO contacts, longest-idle agent. */
export type PolicyName = "switchboard" | "fifo";

export interface Scenario {
  readonly name: string;
  readonly seed: number;
  readonly durationHours: number;
  /** Contacts arriving before this are simulated but not counted. */
  readonly warmupHours: number;
  /** After the horizon, keep going this long for contacts still in the system. */
  readonly drainHours: number;
  readonly intervalMinutes: number;
  readonly slThresholdS: number;
  /** Weekday at t = 0 (00:00 UTC), 0 = Monday. */
  readonly startWeekday: number;
  readonly routing: RoutingConfig;
  readonly engine: Omit<RouterEngineOptions, "routing" | "strategy">;
  readonly streams: readonly StreamSpec[];
  readonly agentGroups: readonly AgentGroupSpec[];
  readonly behaviour: BehaviourSpec;
  readonly policies: readonly PolicyName[];
}
