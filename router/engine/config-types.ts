import type { Channel, IntermediaryKind } from "./domain.js";

/**
 * Weights of the soft score, per queue. Score = idlePerSec × idle seconds
 * + proficiency × Σ(proficiency − minimum) + accountOwner × [agent in the account team]
 * + preferredAgent × [agent is the customer's preferred agent]. All ≥ 0.
 */
export interface ScoringWeights {
  readonly preferredAgent: number;
  readonly accountOwner: number;
  readonly proficiency: number;
  readonly idlePerSec: number;
}

/**
 * One bullseye ring. Steps are cumulative: step k applies every step up to k. They take effect
 * when the contact has waited `afterMs` in its current queue.
 */
export interface EscalationStep {
  readonly afterMs: number;
  /** Lowers every skill minimum by this much (never below 1). */
  readonly lowerMinProficiencyBy?: number;
  readonly dropOptionalSkills?: boolean;
  /** Teams added to the queue's team list. */
  readonly addTeams?: readonly string[];
  /** Any team may serve. */
  readonly anyTeam?: boolean;
  /** Move the contact to another queue (keeping its waiting time for aging). */
  readonly overflowToQueueId?: string;
}

export interface QueueConfig {
  readonly id: string;
  /** Added to every contact's priority in this queue; default 0. */
  readonly priority?: number;
  /** Effective priority grows by 1 per this many ms waited; 0 disables aging. Default 10 000. */
  readonly agingIntervalMs?: number;
  /** Default 30 000. */
  readonly offerTimeoutMs?: number;
  /** Longest wrap-up before the agent is freed automatically; default 30 000. */
  readonly wrapUpMs?: number;
  /** Teams serving this queue; absent = every team. */
  readonly teams?: readonly string[];
  readonly escalation?: readonly EscalationStep[];
  readonly scoring?: Partial<ScoringWeights>;
  /** How long a contact waits for its preferred agent before release; default 20 000. */
  readonly preferredAgentWaitMs?: number;
  /** A past agent counts as preferred if the contact ended within this; default 7 days. */
  readonly preferredAgentWindowMs?: number;
  /** How long institutional accounts wait for their account team; default 60 000. */
  readonly accountTeamWaitMs?: number;
  /** Service level target, informational for now; default 20 000. */
  readonly targetAnswerMs?: number;
}

export interface RuleCondition {
  readonly channels?: readonly Channel[];
  /** Every listed skill must be required by the contact. */
  readonly skillsAll?: readonly string[];
  /** At least one listed skill must be required by the contact. */
  readonly skillsAny?: readonly string[];
  readonly languages?: readonly string[];
  readonly accountIds?: readonly string[];
  readonly institutional?: boolean;
  readonly intermediaryKinds?: readonly IntermediaryKind[];
  readonly intermediaryPresent?: boolean;
  /** Exact match on each listed attribute. */
  readonly attributes?: Readonly<Record<string, string>>;
  readonly minPriority?: number;
}

export interface RoutingRule {
  readonly id: string;
  readonly queueId: string;
  readonly when: RuleCondition;
}

/** Rules are evaluated in order, first match wins; no match → `defaultQueueId`. */
export interface RoutingConfig {
  readonly queues: readonly QueueConfig[];
  readonly rules: readonly RoutingRule[];
  readonly defaultQueueId: string;
}
