import { create, toBinary } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { encodeContactEvent, spliceMessage } from "../../core/index.js";
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

const encodedDecisions = new WeakMap<RoutingDecision, Uint8Array>();

/**
 * The decision as RoutingDecision binary, encoded once: an offer and its OFFERED event splice
 * the same bytes in (a decision is the costliest part of either to encode).
 */
export function decisionBytes(d: RoutingDecision): Uint8Array {
  let bytes = encodedDecisions.get(d);
  if (bytes === undefined) {
    bytes = toBinary(RoutingDecisionSchema, decisionToProto(d));
    encodedDecisions.set(d, bytes);
  }
  return bytes;
}

const EVENT_DECISION = ContactEventSchema.field.decision.number;
const EVENT_FIELDS = ContactEventSchema.fields.map((f) => ({
  name: f.localName as keyof ContactEvent & string,
  afterDecision: f.number > EVENT_DECISION,
}));

/**
 * `event` (built without a decision) with `decision`'s cached bytes spliced in at the decision's
 * field number, fields in number order: the bytes toBinary gives for the event with the
 * decision set.
 */
export function encodeEvent(
  event: ContactEvent,
  decision: RoutingDecision | undefined,
): Uint8Array {
  if (decision === undefined) return encodeContactEvent(event);
  const head: Record<string, unknown> = create(ContactEventSchema);
  const tail: Record<string, unknown> = create(ContactEventSchema);
  for (const f of EVENT_FIELDS) (f.afterDecision ? tail : head)[f.name] = event[f.name];
  return spliceMessage([
    encodeContactEvent(head as ContactEvent),
    { field: EVENT_DECISION, message: decisionBytes(decision) },
    encodeContactEvent(tail as ContactEvent),
  ]);
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
