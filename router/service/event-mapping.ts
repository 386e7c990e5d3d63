import { create } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  type Channel,
  type ContactEvent,
  ContactEventSchema,
  ContactEventType,
  type Disposition,
  AgentState as ProtoAgentState,
  type RoutingDecision as ProtoDecision,
  RoutingDecisionSchema,
} from "../../proto/index.js";
import type { RoutingDecision } from "../engine/decision.js";
import type { AgentState } from "../engine/domain.js";

const termNames: Record<string, string> = {
  preferredAgent: "preferred_agent",
  accountOwner: "account_owner",
  proficiency: "proficiency",
  idle: "idle_time",
};

export function decisionToProto(d: RoutingDecision): ProtoDecision {
  return create(RoutingDecisionSchema, {
    contactId: d.contactId,
    ruleId: d.ruleId,
    queueId: d.queueId,
    escalationStep: d.escalationStep,
    candidatesConsidered: d.candidatesConsidered,
    agentId: d.winnerAgentId ?? "",
    scoreTerms: d.scoreTerms.map((t) => ({
      name: termNames[t.name] ?? t.name,
      value: t.value,
      weight: t.weight,
    })),
    score: d.score,
    exclusions: d.exclusions.map((e) => ({
      constraint: e.constraint,
      agentsExcluded: e.agentsExcluded,
    })),
    reason: d.reason,
    decideTime: timestampFromMs(d.atMs),
  });
}

export function agentStateToProto(state: AgentState): ProtoAgentState {
  return ProtoAgentState[state];
}

export function protoToPresence(state: ProtoAgentState): "OFFLINE" | "AVAILABLE" | "AWAY" {
  if (state === ProtoAgentState.AVAILABLE) return "AVAILABLE";
  if (state === ProtoAgentState.OFFLINE) return "OFFLINE";
  // BUSY by choice means "no more work", which the engine models as AWAY.
  return "AWAY";
}

/** What an event says beyond its type; everything optional. */
export interface EventDetails {
  readonly reason?: string;
  readonly agentId?: string;
  readonly queueId?: string;
  readonly position?: number;
  readonly expectedWaitMs?: number;
  readonly decision?: RoutingDecision;
  readonly offerId?: string;
  readonly transferAgentId?: string;
  readonly transferQueueId?: string;
  readonly disposition?: Disposition;
}

export function contactEvent(
  base: { tenant: string; contactId: string; channel: Channel; sequence: number; atMs: number },
  type: ContactEventType,
  details: EventDetails,
): ContactEvent {
  return create(ContactEventSchema, {
    id: `${base.contactId}-${base.sequence}`,
    type,
    contactId: base.contactId,
    tenant: base.tenant,
    channel: base.channel,
    sequence: BigInt(base.sequence),
    time: timestampFromMs(base.atMs),
    reason: details.reason ?? "",
    agentId: details.agentId ?? "",
    queueId: details.queueId ?? "",
    position: details.position ?? 0,
    ...(details.expectedWaitMs === undefined
      ? {}
      : { expectedWait: durationFromMs(details.expectedWaitMs) }),
    ...(details.decision === undefined ? {} : { decision: decisionToProto(details.decision) }),
    offerId: details.offerId ?? "",
    transferAgentId: details.transferAgentId ?? "",
    transferQueueId: details.transferQueueId ?? "",
    ...(details.disposition === undefined ? {} : { disposition: details.disposition }),
  });
}

export { ContactEventType };
