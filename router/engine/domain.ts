/**
 * Plain domain types the engine consumes. The router service maps the `switchboard.v1` proto
 * contract onto these; the engine never sees protobuf messages.
 */

export const CHANNELS = ["VOICE", "EMAIL", "CHAT", "KIOSK"] as const;
export type Channel = (typeof CHANNELS)[number];

export const INTERMEDIARY_KINDS = [
  "BROKER",
  "RESELLER",
  "PARTNER",
  "CARER",
  "INTERPRETER",
] as const;
export type IntermediaryKind = (typeof INTERMEDIARY_KINDS)[number];

/** What the agent says about themselves. */
export type AgentPresence = "OFFLINE" | "AVAILABLE" | "AWAY";

/**
 * Derived from presence and held work: BUSY when no further contact of any of the agent's
 * channels fits, WRAP_UP when the only held work is wrap-up that leaves no room.
 */
export type AgentState = "OFFLINE" | "AVAILABLE" | "BUSY" | "WRAP_UP" | "AWAY";

export type ContactState = "WAITING" | "OFFERED" | "CONNECTED" | "WRAP_UP";

export interface SkillRequirement {
  readonly skill: string;
  /** 1–5. */
  readonly minProficiency: number;
}

export interface Intermediary {
  readonly kind: IntermediaryKind;
  readonly id: string;
  /** Only a present intermediary constrains routing. */
  readonly present: boolean;
}

export interface AccountRef {
  readonly id: string;
  /** Institutional accounts are served by their account team first. */
  readonly institutional: boolean;
}

export interface ContactInput {
  readonly id: string;
  readonly channel: Channel;
  readonly requiredSkills?: readonly SkillRequirement[];
  /** Required until an escalation step drops them. */
  readonly optionalSkills?: readonly SkillRequirement[];
  /** 1–5, default 1. */
  readonly complexity?: number;
  /** Integer -1000..1000, default 0; higher is served first. */
  readonly priority?: number;
  readonly language?: string;
  readonly intermediary?: Intermediary;
  readonly account?: AccountRef;
  readonly customerId?: string;
  /** Free-form attributes rules may match on. */
  readonly attributes?: Readonly<Record<string, string>>;
  /**
   * The submitter's choice of queue: used instead of the rules when that queue is configured
   * (an unknown queue falls back to the rules, so a contact is never dropped).
   */
  readonly queueId?: string;
}

export interface AgentSkill {
  readonly skill: string;
  /** 1–5. */
  readonly proficiency: number;
}

export interface AgentAuthorizations {
  readonly intermediaryKinds?: readonly IntermediaryKind[];
  readonly intermediaryIds?: readonly string[];
  /** Membership of an account team. */
  readonly accountIds?: readonly string[];
}

export interface AgentProfile {
  readonly id: string;
  readonly skills: readonly AgentSkill[];
  /** Highest complexity handled, 1–5, default 5. */
  readonly complexityTier?: number;
  readonly languages?: readonly string[];
  /** Channels the agent works; default all. */
  readonly channels?: readonly Channel[];
  /** Per-agent load weight overrides, each in (0, 1]. */
  readonly channelWeights?: Readonly<Partial<Record<Channel, number>>>;
  readonly team?: string;
  readonly authorizations?: AgentAuthorizations;
}

export interface PastAgent {
  readonly agentId: string;
  readonly endedAtMs: number;
}

/** Customer history the caller resolved for this contact (identity resolution is upstream). */
export interface CustomerHistory {
  /** Most recent first is not required; the engine sorts. */
  readonly lastAgents?: readonly PastAgent[];
  /** End of the customer's previous contact on any channel. */
  readonly lastContactEndedAtMs?: number;
  /** Upstream may already know the contact is a repeat (e.g. same open case). */
  readonly repeat?: boolean;
  /** Looked up in `loyaltyPriority`. */
  readonly loyaltyTier?: string;
  readonly openCaseOwnerAgentId?: string;
}

export interface ContactOutcome {
  readonly resolved?: boolean;
  /** 1–5. */
  readonly csat?: number;
  readonly code?: string;
}
