import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  agentEventSubject,
  contactEventSubject,
  encodeAgentEvent,
  encodeContactEvent,
  encodeContactRecord,
  encodeOfferMessage,
  msgIds,
  offerSubject,
} from "../../core/index.js";
import {
  AgentEventSchema,
  AgentServiceConnectResponseSchema,
  type ContactEventType,
  ContactRecordSchema,
} from "../../proto/index.js";
import type { RoutingDecision } from "../engine/decision.js";
import type { AgentState } from "../engine/domain.js";
import {
  agentStateToProto,
  contactEvent,
  decisionToProto,
  type EventDetails,
} from "./event-mapping.js";
import type { PartitionContext } from "./partition-context.js";
import type { ContactEntry } from "./partition-state.js";

/**
 * Publishes the contact's next event (sequence + 1) and stores the record GetContact reads.
 * The msgId carries the sequence, so a replay after takeover publishes each event once.
 */
export async function publishContactEvent(
  ctx: PartitionContext,
  entry: ContactEntry,
  type: ContactEventType,
  atMs: number,
  details: EventDetails,
): Promise<void> {
  entry.sequence += 1;
  const { contact } = entry;
  const event = contactEvent(
    {
      tenant: ctx.tenant,
      contactId: contact.id,
      channel: contact.channel,
      sequence: entry.sequence,
      atMs,
    },
    type,
    details,
  );
  const subject = contactEventSubject(ctx.bus.subjects, ctx.tenant, contact.channel);
  const msgId = msgIds.contactEvent(ctx.tenant, contact.id, entry.sequence);
  const ack = await ctx.io(() => ctx.bus.publish(subject, encodeContactEvent(event), { msgId }));
  ctx.logger.debug(
    {
      contactId: contact.id,
      type,
      sequence: entry.sequence,
      duplicate: ack.duplicate,
      lease: ctx.lease.token,
    },
    "contact event published",
  );
  const record = create(ContactRecordSchema, {
    contact,
    lastEvent: event,
    sequence: BigInt(entry.sequence),
  });
  await ctx.io(() =>
    ctx.store.contacts.putRecord(contact.id, encodeContactRecord(record), entry.sequence),
  );
}

export async function publishOffer(
  ctx: PartitionContext,
  entry: ContactEntry,
  offer: { offerId: string; agentId: string; expiresAtMs: number; decision: RoutingDecision },
): Promise<void> {
  const message = create(AgentServiceConnectResponseSchema, {
    event: {
      case: "offer",
      value: {
        offerId: offer.offerId,
        contact: entry.contact,
        decision: decisionToProto(offer.decision),
        expireTime: timestampFromMs(offer.expiresAtMs),
      },
    },
  });
  const subject = offerSubject(ctx.bus.subjects, ctx.tenant, offer.agentId);
  const msgId = msgIds.offer(ctx.tenant, offer.offerId, "offered");
  await ctx.io(() => ctx.bus.publish(subject, encodeOfferMessage(message), { msgId }));
}

export async function publishWithdrawal(
  ctx: PartitionContext,
  offer: { offerId: string; agentId: string; contactId: string },
  reason: string,
): Promise<void> {
  const message = create(AgentServiceConnectResponseSchema, {
    event: {
      case: "offerWithdrawn",
      value: { offerId: offer.offerId, contactId: offer.contactId, reason },
    },
  });
  const subject = offerSubject(ctx.bus.subjects, ctx.tenant, offer.agentId);
  const msgId = msgIds.offer(ctx.tenant, offer.offerId, "withdrawn");
  await ctx.io(() => ctx.bus.publish(subject, encodeOfferMessage(message), { msgId }));
}

export async function publishAgentState(
  ctx: PartitionContext,
  change: { agentId: string; from: AgentState; to: AgentState; atMs: number; reason: string },
): Promise<void> {
  const sequence = (ctx.state.agentSequences.get(change.agentId) ?? 0) + 1;
  ctx.state.agentSequences.set(change.agentId, sequence);
  const event = create(AgentEventSchema, {
    id: `${change.agentId}-${sequence}`,
    tenant: ctx.tenant,
    agentId: change.agentId,
    sequence: BigInt(sequence),
    time: timestampFromMs(change.atMs),
    previousState: agentStateToProto(change.from),
    state: agentStateToProto(change.to),
    reason: change.reason,
  });
  await ctx.io(() => ctx.store.agents.setState(change.agentId, change.to, change.atMs));
  const subject = agentEventSubject(ctx.bus.subjects, ctx.tenant, change.agentId);
  const msgId = msgIds.agentEvent(ctx.tenant, change.agentId, sequence);
  await ctx.io(() => ctx.bus.publish(subject, encodeAgentEvent(event), { msgId }));
}
