import type { AgentState, Channel, ContactOutcome } from "./domain.js";

export interface ScoreTerm {
  readonly name: "preferredAgent" | "accountOwner" | "proficiency" | "idle";
  /** The raw measure: 0/1, proficiency levels above minimum, idle seconds. */
  readonly value: number;
  readonly weight: number;
}

export interface Exclusion {
  /** Which hard constraint, e.g. `skill`, `language`, `capacity`. */
  readonly constraint: string;
  readonly agentsExcluded: number;
}

/**
 * Why a contact waits while it waits: `PREFERRED_AGENT` and `ACCOUNT_TEAM` restrict the
 * candidates for a while, `TARGETED` is a transfer to one agent, `OPEN` is everyone eligible.
 */
export type ContactPhase = "OPEN" | "PREFERRED_AGENT" | "ACCOUNT_TEAM" | "TARGETED";

export interface RoutingDecision {
  /** A contact looking for an agent, or a freed agent looking for a contact. */
  readonly direction: "CONTACT_TO_AGENT" | "AGENT_TO_CONTACT";
  readonly atMs: number;
  readonly contactId: string;
  readonly channel: Channel;
  readonly ruleId: string;
  readonly queueId: string;
  readonly escalationStep: number;
  readonly phase: ContactPhase;
  /** Agents (or, agent-side, waiting-contact groups) actually examined. */
  readonly candidatesConsidered: number;
  readonly winnerAgentId: string | null;
  readonly score: number;
  readonly scoreTerms: readonly ScoreTerm[];
  /** Empty when there is a winner. */
  readonly exclusions: readonly Exclusion[];
  readonly reason: string;
}

export interface Offer {
  readonly offerId: string;
  /** Fencing token: accept/reject must present it. */
  readonly version: number;
  readonly contactId: string;
  readonly agentId: string;
  readonly queueId: string;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
  /** The load it puts on the agent while it stands, in thousandths of a full agent. */
  readonly weightMilli: number;
}

export type RouterEffect =
  | {
      readonly type: "OFFER_CREATED";
      readonly atMs: number;
      readonly offer: Offer;
      readonly decision: RoutingDecision;
    }
  | {
      readonly type: "OFFER_REJECTED";
      readonly atMs: number;
      readonly offerId: string;
      readonly contactId: string;
      readonly agentId: string;
    }
  | {
      readonly type: "OFFER_EXPIRED";
      readonly atMs: number;
      readonly offerId: string;
      readonly contactId: string;
      readonly agentId: string;
    }
  | {
      readonly type: "OFFER_CANCELLED";
      readonly atMs: number;
      readonly offerId: string;
      readonly contactId: string;
      readonly agentId: string;
      readonly reason: "CONTACT_ENDED" | "AGENT_REMOVED" | "AGENT_PROFILE_CHANGED";
    }
  | {
      readonly type: "CONTACT_QUEUED";
      readonly atMs: number;
      readonly contactId: string;
      readonly queueId: string;
      /** 1 = next in its queue. */
      readonly position: number;
      readonly expectedWaitMs: number;
      readonly decision: RoutingDecision;
    }
  | {
      readonly type: "CONTACT_ESCALATED";
      readonly atMs: number;
      readonly contactId: string;
      readonly queueId: string;
      readonly step: number;
    }
  | {
      readonly type: "CONTACT_OVERFLOWED";
      readonly atMs: number;
      readonly contactId: string;
      readonly fromQueueId: string;
      readonly toQueueId: string;
    }
  | {
      readonly type: "CONTACT_RELEASED";
      readonly atMs: number;
      readonly contactId: string;
      readonly from: "PREFERRED_AGENT" | "ACCOUNT_TEAM" | "TARGETED";
    }
  | {
      readonly type: "CONTACT_CONNECTED";
      readonly atMs: number;
      readonly contactId: string;
      readonly agentId: string;
      readonly offerId: string;
    }
  | {
      readonly type: "CONTACT_WRAP_UP";
      readonly atMs: number;
      readonly contactId: string;
      readonly agentId: string;
      readonly wrapUpEndsAtMs: number;
    }
  | {
      readonly type: "CONTACT_COMPLETED";
      readonly atMs: number;
      readonly contactId: string;
      readonly agentId: string;
      readonly outcome: ContactOutcome | null;
      readonly reason: "COMPLETED" | "WRAP_UP_ELAPSED";
    }
  | {
      readonly type: "CONTACT_TRANSFERRED";
      readonly atMs: number;
      readonly contactId: string;
      readonly fromAgentId: string | null;
      readonly toQueueId: string;
      readonly toAgentId: string | null;
    }
  | {
      readonly type: "CONTACT_ENDED";
      readonly atMs: number;
      readonly contactId: string;
      readonly reason: "CANCELLED" | "ABANDONED";
    }
  | {
      readonly type: "AGENT_STATE_CHANGED";
      readonly atMs: number;
      readonly agentId: string;
      readonly from: AgentState;
      readonly to: AgentState;
      readonly reason: "PRESENCE" | "WORKLOAD" | "MISSED_OFFERS" | "REMOVED" | "ADDED";
    };

export type RouterEffectType = RouterEffect["type"];
