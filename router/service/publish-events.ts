import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  agentEventSubject,
  contactEventSubject,
  encodeAgentEvent,
  encodeOfferMessage,
  msgIds,
  offerSubject,
  spliceMessage,
} from "../../core/index.js";
import {
  AgentEventSchema,
  AgentServiceConnectResponseSchema,
  type Contact,
  ContactEventType,
  ContactRecordSchema,
  OfferSchema,
} from "../../proto/index.js";
import type { RoutingDecision } from "../engine/decision.js";
import type { AgentState } from "../engine/domain.js";
import {
  agentStateToProto,
  contactEvent,
  decisionBytes,
  type EventDetails,
  encodeEvent,
} from "./event-mapping.js";
import type { PartitionContext } from "./partition-context.js";
import { type ContactEntry, contactBytes } from "./partition-state.js";

/** Keys of the IoPipeline chains: one contact's events, its offer messages, one agent's state. */
export const chainKeys = {
  contactEvents: (contactId: string): string => `event:${contactId}`,
  offerMessages: (contactId: string): string => `offer:${contactId}`,
  agentWithdrawals: (agentId: string): string => `withdrawals:${agentId}`,
  agentState: (agentId: string): string => `agent:${agentId}`,
};

/**
 * Takes the contact's next event sequence (+ 1, now, on the ordered path) and returns the I/O
 * that builds and publishes the event and stores the record GetContact reads (only the latest:
 * a record a later event of the contact overwrites anyway is not written). The msgId carries
 * the sequence, so a replay after takeover publishes each event once. The event is built only
 * if the task runs (an OFFERED event's REJECTED alternative almost never does).
 */
export function contactEventTask(
  ctx: PartitionContext,
  entry: ContactEntry,
  type: ContactEventType,
  atMs: number,
  details: EventDetails,
): () => Promise<void> {
  entry.sequence += 1;
  const sequence = entry.sequence;
  const { contact } = entry;
  // The decision goes in as bytes at encoding (encodeEvent): its offer has encoded it already.
  const { decision, ...rest } = details;
  return async () => {
    const event = contactEvent(
      { tenant: ctx.tenant, contactId: contact.id, channel: contact.channel, sequence, atMs },
      type,
      rest,
    );
    const subject = contactEventSubject(ctx.bus.subjects, ctx.tenant, contact.channel);
    const msgId = msgIds.contactEvent(ctx.tenant, contact.id, sequence);
    const eventBytes = encodeEvent(event, decision);
    const ack = await ctx.io(() => ctx.bus.publish(subject, eventBytes, { msgId }));
    ctx.logger.debug(
      { contactId: contact.id, type, sequence, duplicate: ack.duplicate, lease: ctx.lease.token },
      "contact event published",
    );
    // A later event of the contact is built already, and its task (behind this one on the
    // contact's chain) stores its own record: this one would be overwritten at once.
    if (entry.sequence > sequence) return;
    const record = encodeRecord(contact, eventBytes, sequence);
    await ctx.io(() => ctx.store.contacts.putRecord(contact.id, record, sequence));
  };
}

const RECORD_CONTACT = ContactRecordSchema.field.contact.number;
const RECORD_LAST_EVENT = ContactRecordSchema.field.lastEvent.number;
const OFFER_CONTACT = OfferSchema.field.contact.number;
const OFFER_DECISION = OfferSchema.field.decision.number;
const RESPONSE_OFFER = AgentServiceConnectResponseSchema.field.offer.number;

/**
 * The ContactRecord {contact, lastEvent, sequence} from the contact's cached bytes and the
 * event's bytes just published: neither is encoded again (the same bytes as toBinary's).
 */
export function encodeRecord(
  contact: Contact,
  eventBytes: Uint8Array,
  sequence: number,
): Uint8Array {
  return spliceMessage([
    { field: RECORD_CONTACT, message: contactBytes(contact) },
    { field: RECORD_LAST_EVENT, message: eventBytes },
    sequenceBytes(sequence),
  ]);
}

/** The record's sequence field; the first few, which nearly every record has, encoded once. */
const SEQUENCES = Array.from({ length: 64 }, (_, i) => encodeSequence(i));

function sequenceBytes(sequence: number): Uint8Array {
  return SEQUENCES[sequence] ?? encodeSequence(sequence);
}

function encodeSequence(sequence: number): Uint8Array {
  return toBinary(ContactRecordSchema, create(ContactRecordSchema, { sequence: BigInt(sequence) }));
}

/**
 * Issues the contact's next event behind its earlier ones (see contactEventTask); with `gate`,
 * only once that settled (a pending confirmation: a failed one fails the event's command).
 */
export function publishContactEvent(
  ctx: PartitionContext,
  entry: ContactEntry,
  type: ContactEventType,
  atMs: number,
  details: EventDetails,
  gate?: Promise<unknown>,
): void {
  const task = contactEventTask(ctx, entry, type, atMs, details);
  void ctx.pipe.chain(
    chainKeys.contactEvents(entry.contact.id),
    gate === undefined
      ? task
      : async () => {
          await gate;
          await task();
        },
  );
}

/**
 * The OFFERED event of an offer whose reservation is still pending in the epoch: its sequence
 * is taken now, in order; once the store answered it carries OFFERED, or REJECTED
 * (reservation_refused) if the store refused — the contact is routed again meanwhile.
 */
export function publishOfferedEvent(
  ctx: PartitionContext,
  entry: ContactEntry,
  committed: Promise<boolean>,
  atMs: number,
  details: EventDetails,
): void {
  const offered = contactEventTask(ctx, entry, ContactEventType.OFFERED, atMs, details);
  // Both built for the one sequence: taken back before the second takes it again.
  entry.sequence -= 1;
  const refused = contactEventTask(ctx, entry, ContactEventType.REJECTED, atMs, {
    ...(details.agentId === undefined ? {} : { agentId: details.agentId }),
    ...(details.offerId === undefined ? {} : { offerId: details.offerId }),
    reason: "reservation_refused",
  });
  void ctx.pipe.chain(chainKeys.contactEvents(entry.contact.id), async () =>
    (await committed) ? offered() : refused(),
  );
}

/** Issued behind the contact's earlier offer messages, so behind any withdrawal before it. */
export function publishOffer(
  ctx: PartitionContext,
  entry: ContactEntry,
  offer: { offerId: string; agentId: string; expiresAtMs: number; decision: RoutingDecision },
  /** Published only once the store committed the offer; never if it refused it. */
  committed: Promise<boolean>,
): void {
  const bytes = encodeOffer(entry.contact, offer);
  const subject = offerSubject(ctx.bus.subjects, ctx.tenant, offer.agentId);
  const msgId = msgIds.offer(ctx.tenant, offer.offerId, "offered");
  // The agent's desktop hears of the offers it lost before this one: it never shows more than
  // the agent's capacity, even for a moment (the store never holds more).
  const withdrawals = ctx.pipe.tail(chainKeys.agentWithdrawals(offer.agentId));
  void ctx.pipe.chain(chainKeys.offerMessages(entry.contact.id), async () => {
    if (!(await committed)) return;
    await withdrawals;
    await ctx.io(() => ctx.bus.publish(subject, bytes, { msgId }));
  });
}

/**
 * AgentServiceConnectResponse {offer: {offerId, contact, decision, expireTime}} with the
 * contact and the decision spliced in from their cached bytes (fields in number order:
 * toBinary's bytes).
 */
export function encodeOffer(
  contact: Contact,
  offer: { offerId: string; expiresAtMs: number; decision: RoutingDecision },
): Uint8Array {
  const head = toBinary(OfferSchema, create(OfferSchema, { offerId: offer.offerId }));
  const tail = toBinary(
    OfferSchema,
    create(OfferSchema, { expireTime: timestampFromMs(offer.expiresAtMs) }),
  );
  const offerBytes = spliceMessage([
    head,
    { field: OFFER_CONTACT, message: contactBytes(contact) },
    { field: OFFER_DECISION, message: decisionBytes(offer.decision) },
    tail,
  ]);
  return spliceMessage([{ field: RESPONSE_OFFER, message: offerBytes }]);
}

/**
 * Issued on the contact's offer chain: a re-offer of the contact, issued later, is published
 * only once this withdrawal is stored, so the desktop hears of the withdrawal first; so is any
 * offer to the same agent issued later (`agentWithdrawals`).
 */
export function publishWithdrawal(
  ctx: PartitionContext,
  offer: { offerId: string; agentId: string; contactId: string },
  reason: string,
  /** Whether the offer was ever committed, hence published: nothing to withdraw if not. */
  committed: Promise<boolean>,
): void {
  const message = create(AgentServiceConnectResponseSchema, {
    event: {
      case: "offerWithdrawn",
      value: { offerId: offer.offerId, contactId: offer.contactId, reason },
    },
  });
  const subject = offerSubject(ctx.bus.subjects, ctx.tenant, offer.agentId);
  const msgId = msgIds.offer(ctx.tenant, offer.offerId, "withdrawn");
  const published = ctx.pipe.chain(chainKeys.offerMessages(offer.contactId), async () => {
    if (await committed)
      await ctx.io(() => ctx.bus.publish(subject, encodeOfferMessage(message), { msgId }));
  });
  ctx.pipe.join(chainKeys.agentWithdrawals(offer.agentId), published);
}

export function publishAgentState(
  ctx: PartitionContext,
  change: { agentId: string; from: AgentState; to: AgentState; atMs: number; reason: string },
): void {
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
  const subject = agentEventSubject(ctx.bus.subjects, ctx.tenant, change.agentId);
  const msgId = msgIds.agentEvent(ctx.tenant, change.agentId, sequence);
  void ctx.pipe.chain(chainKeys.agentState(change.agentId), async () => {
    await ctx.io(() => ctx.store.agents.setState(change.agentId, change.to, change.atMs));
    await ctx.io(() => ctx.bus.publish(subject, encodeAgentEvent(event), { msgId }));
  });
}
