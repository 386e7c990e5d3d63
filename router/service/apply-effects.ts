import { channelName, decodeContactRecord, SwitchboardError } from "../../core/index.js";
import { ContactEventType } from "../../proto/index.js";
import type { RouterEffect } from "../engine/decision.js";
import { RouterError } from "../engine/errors.js";
import { LeaseLostError } from "./io-retry.js";
import type { PartitionContext } from "./partition-context.js";
import type { ContactEntry } from "./partition-state.js";
import {
  chainKeys,
  contactEventTask,
  publishAgentState,
  publishContactEvent,
  publishOffer,
  publishOfferedEvent,
  publishWithdrawal,
} from "./publish-events.js";
import type { ReservationOp } from "./reservation-epoch.js";

const stateReasons: Record<string, string> = {
  PRESENCE: "agent_request",
  WORKLOAD: "workload",
  MISSED_OFFERS: "missed_offers",
  REMOVED: "agent_removed",
  ADDED: "agent_added",
};

/**
 * Carries out the engine's effects in order, without waiting for the store: an offer's
 * reservation (and every release, confirmation, completion) joins the open reservation epoch,
 * committed in the engine's order before the command is acknowledged (see ReservationEpoch).
 * Nobody hears of an offer before the store committed it; a refused one is rejected back into
 * the engine on the ordered path, and the contact is routed again from there. Every other call
 * is issued into `ctx.pipe` and awaited by the command's handler before its message is acked.
 */
export async function applyEffects(ctx: PartitionContext, first: RouterEffect[]): Promise<void> {
  const effects = [...first];
  for (let i = 0; i < effects.length; i++) {
    const effect = effects[i];
    if (effect === undefined) continue;
    const more = await applyEffect(ctx, effect);
    effects.push(...more);
  }
}

function offerCreated(ctx: PartitionContext, e: Extract<RouterEffect, { type: "OFFER_CREATED" }>) {
  const { state } = ctx;
  const entry = state.contacts.get(e.offer.contactId);
  if (entry === undefined) return;
  const engineOfferId = e.offer.offerId;
  const offerId = `${state.generation}-${engineOfferId}`;
  const channel = channelName(entry.contact.channel);
  const input = {
    contactId: e.offer.contactId,
    agentId: e.offer.agentId,
    offerId,
    channel,
    weightMilli: e.offer.weightMilli,
    capacityMilli: ctx.capacityMilli,
    expiresAtMs: e.offer.expiresAtMs,
  };
  const committed = ctx.reservations
    .add({ kind: "reserve", input }, async (result) => {
      if (result.ok) {
        // Made by this leader and still live here (not ended within the same epoch): its
        // accept may be vouched for. One found in the store (a replay after a takeover) may
        // have ended under the previous leader: its accept asks the store.
        if ("created" in result && result.created && state.offers.has(offerId))
          ctx.vouched.set(offerId, input);
        return;
      }
      if (result.reason === "STALE_TOKEN") throw new LeaseLostError(ctx.tenant);
      ctx.logger.warn(
        { contactId: input.contactId, agentId: input.agentId, reason: result.reason },
        "reservation refused; re-routing the contact",
      );
      await rejectRefused(ctx, offerId, engineOfferId, e.offer.version);
    })
    .then((result) => result.ok);
  ctx.offerCommits.set(offerId, committed);
  const offer = {
    offerId,
    engineOfferId,
    version: e.offer.version,
    contactId: e.offer.contactId,
    agentId: e.offer.agentId,
  };
  entry.queueId = e.offer.queueId;
  state.offers.set(offerId, offer);
  state.offerByEngineId.set(engineOfferId, offerId);
  publishOffer(
    ctx,
    entry,
    { ...offer, expiresAtMs: e.offer.expiresAtMs, decision: e.decision },
    committed,
  );
  publishOfferedEvent(ctx, entry, committed, e.atMs, {
    agentId: e.offer.agentId,
    queueId: e.offer.queueId,
    offerId,
    decision: e.decision,
  });
}

/** The ordered step after a refusal: the engine forgets the offer and routes the contact again. */
async function rejectRefused(
  ctx: PartitionContext,
  offerId: string,
  engineOfferId: string,
  version: number,
): Promise<void> {
  const { state } = ctx;
  ctx.offerCommits.delete(offerId);
  // Ended meanwhile (cancelled in the same epoch, say): its end published nothing, see below.
  if (state.offerByEngineId.get(engineOfferId) !== offerId) return;
  // Unregistered first, so its OFFER_REJECTED publishes and releases nothing.
  state.offers.delete(offerId);
  state.offerByEngineId.delete(engineOfferId);
  let effects: RouterEffect[];
  try {
    effects = state.engine.rejectOffer({ nowMs: ctx.nowMs(), offerId: engineOfferId, version });
  } catch (error) {
    if (!(error instanceof RouterError)) throw error;
    ctx.logger.warn({ offerId, err: error }, "refused offer already over in the engine");
    return;
  }
  await applyEffects(ctx, effects);
}

async function applyEffect(ctx: PartitionContext, e: RouterEffect): Promise<RouterEffect[]> {
  const { state } = ctx;
  switch (e.type) {
    case "OFFER_CREATED":
      offerCreated(ctx, e);
      return [];
    case "OFFER_REJECTED":
    case "OFFER_EXPIRED":
    case "OFFER_CANCELLED": {
      const offerId = state.offerByEngineId.get(e.offerId);
      if (offerId === undefined) return [];
      state.offers.delete(offerId);
      state.offerByEngineId.delete(e.offerId);
      ctx.vouched.delete(offerId);
      const committed = ctx.offerCommits.get(offerId) ?? Promise.resolve(true);
      ctx.offerCommits.delete(offerId);
      // Behind its own reservation in the epoch: a refused one answers NOT_FOUND, harmlessly.
      releaseReservation(ctx, offerId);
      const offer = { offerId, agentId: e.agentId, contactId: e.contactId };
      const entry = state.contacts.get(e.contactId);
      if (e.type === "OFFER_REJECTED") {
        // The router said no for the agent (too late, desktop gone): the desktop may still
        // show the offer, so it is withdrawn before the contact can be offered again.
        const withdrawal = ctx.withdrawOnReject.get(e.offerId);
        ctx.withdrawOnReject.delete(e.offerId);
        if (withdrawal !== undefined) publishWithdrawal(ctx, offer, withdrawal, committed);
        if (entry)
          publishContactEvent(ctx, entry, ContactEventType.REJECTED, e.atMs, {
            agentId: e.agentId,
            offerId,
            reason: withdrawal ?? "agent_rejected",
          });
        return [];
      }
      const reason =
        e.type === "OFFER_EXPIRED"
          ? "offer_timeout"
          : e.reason === "AGENT_REMOVED"
            ? "agent_removed"
            : e.reason === "AGENT_PROFILE_CHANGED"
              ? "agent_profile_changed"
              : "contact_ended";
      publishWithdrawal(ctx, offer, reason, committed);
      if (entry && e.type === "OFFER_EXPIRED") {
        publishContactEvent(ctx, entry, ContactEventType.OFFER_TIMED_OUT, e.atMs, {
          agentId: e.agentId,
          offerId,
          reason,
        });
      }
      return [];
    }
    case "CONTACT_QUEUED":
    case "CONTACT_OVERFLOWED": {
      const entry = state.contacts.get(e.contactId);
      if (entry === undefined) return [];
      const queueId = e.type === "CONTACT_QUEUED" ? e.queueId : e.toQueueId;
      entry.queueId = queueId;
      const view = state.engine.getContact(e.contactId);
      publishContactEvent(ctx, entry, ContactEventType.QUEUED, e.atMs, {
        queueId,
        position: e.type === "CONTACT_QUEUED" ? e.position : (view?.position ?? 0),
        ...(e.type === "CONTACT_QUEUED"
          ? { expectedWaitMs: e.expectedWaitMs, decision: e.decision }
          : view?.expectedWaitMs != null
            ? { expectedWaitMs: view.expectedWaitMs, reason: "overflow" }
            : { reason: "overflow" }),
      });
      return [];
    }
    case "CONTACT_CONNECTED": {
      const entry = state.contacts.get(e.contactId);
      const offerId = state.offerByEngineId.get(e.offerId) ?? e.offerId;
      state.offers.delete(offerId);
      state.offerByEngineId.delete(e.offerId);
      ctx.vouched.delete(offerId);
      ctx.offerCommits.delete(offerId);
      // An accept applied before the store confirmed it (vouched): told once it did.
      const gate = ctx.confirmations.get(e.offerId);
      ctx.confirmations.delete(e.offerId);
      if (entry === undefined) return [];
      const details = { agentId: e.agentId, offerId, queueId: entry.queueId };
      publishContactEvent(ctx, entry, ContactEventType.ACCEPTED, e.atMs, details, gate);
      publishContactEvent(ctx, entry, ContactEventType.CONNECTED, e.atMs, details, gate);
      return [];
    }
    case "CONTACT_WRAP_UP": {
      const entry = state.contacts.get(e.contactId);
      if (entry)
        publishContactEvent(ctx, entry, ContactEventType.WRAP_UP, e.atMs, {
          agentId: e.agentId,
          queueId: entry.queueId,
        });
      return [];
    }
    case "CONTACT_COMPLETED":
      completeContact(ctx, e);
      return [];
    case "CONTACT_TRANSFERRED": {
      const entry = state.contacts.get(e.contactId);
      if (e.fromAgentId !== null) {
        // The contact left its agent: the connected reservation ends so it can be reserved again.
        completeReservation(ctx, e.contactId);
      }
      if (entry) {
        entry.queueId = e.toQueueId;
        publishContactEvent(ctx, entry, ContactEventType.TRANSFERRED, e.atMs, {
          ...(e.fromAgentId === null ? {} : { agentId: e.fromAgentId }),
          queueId: e.toQueueId,
          transferQueueId: e.toQueueId,
          ...(e.toAgentId === null ? {} : { transferAgentId: e.toAgentId }),
        });
      }
      return [];
    }
    case "CONTACT_ENDED": {
      const entry = state.contacts.get(e.contactId);
      if (entry === undefined) return [];
      const type =
        e.reason === "ABANDONED" ? ContactEventType.ABANDONED : ContactEventType.CANCELLED;
      publishFinalEvent(
        ctx,
        entry,
        contactEventTask(ctx, entry, type, e.atMs, {
          queueId: entry.queueId,
          reason: entry.endReason ?? e.reason.toLowerCase(),
        }),
      );
      state.contacts.delete(e.contactId);
      return [];
    }
    case "AGENT_STATE_CHANGED":
      publishAgentState(ctx, {
        agentId: e.agentId,
        from: e.from,
        to: e.to,
        atMs: e.atMs,
        reason: stateReasons[e.reason] ?? e.reason,
      });
      return [];
    case "CONTACT_ESCALATED":
    case "CONTACT_RELEASED":
      // No event type of their own: visible in the next decision's escalation step and phase.
      ctx.logger.debug({ contactId: e.contactId, effect: e.type }, "contact requirements widened");
      return [];
  }
}

const terminal = new Set([
  ContactEventType.COMPLETED,
  ContactEventType.CANCELLED,
  ContactEventType.ABANDONED,
]);

/**
 * Safety net for a replay that decided differently from the leader it replaced: a contact whose
 * stored record already ended was ended by that leader, and must not end a second time.
 */
async function alreadyEnded(ctx: PartitionContext, contactId: string): Promise<boolean> {
  const stored = await ctx.io(() => ctx.store.contacts.getRecord(contactId));
  if (stored === undefined) return false;
  const type = decodeContactRecord(stored.record).lastEvent?.type;
  if (type === undefined || !terminal.has(type)) return false;
  ctx.logger.warn(
    { contactId },
    "contact already ended by the previous leader; not ending it again",
  );
  return true;
}

/** A reservation write whose only answer that matters is a refused fence. */
function fenced(ctx: PartitionContext, op: ReservationOp): void {
  void ctx.reservations.add(op, (result) => {
    if (!result.ok && result.reason === "STALE_TOKEN") throw new LeaseLostError(ctx.tenant);
  });
}

const releaseReservation = (ctx: PartitionContext, offerId: string): void =>
  fenced(ctx, { kind: "release", offerId });

const completeReservation = (ctx: PartitionContext, contactId: string): void =>
  fenced(ctx, { kind: "complete", contactId });

/**
 * The contact's last event, behind its others, unless the previous leader already ended it.
 * The router forgets the contact at once either way, so only the publication waits for the check.
 */
function publishFinalEvent(
  ctx: PartitionContext,
  entry: ContactEntry,
  publish: () => Promise<void>,
): void {
  const contactId = entry.contact.id;
  void ctx.pipe.chain(chainKeys.contactEvents(contactId), async () => {
    if (!(await alreadyEnded(ctx, contactId))) await publish();
  });
}

function completeContact(
  ctx: PartitionContext,
  e: Extract<RouterEffect, { type: "CONTACT_COMPLETED" }>,
): void {
  const entry = ctx.state.contacts.get(e.contactId);
  completeReservation(ctx, e.contactId);
  if (entry === undefined) return;
  const disposition = entry.disposition;
  if (entry.customerId !== undefined) {
    const csat = disposition?.csat ?? e.outcome?.csat ?? 0;
    const customerId = entry.customerId;
    // History is advice for later routing: a refused entry must not hold up the completion.
    void ctx.pipe.track(
      ctx
        .io(() =>
          ctx.store.history.recordCompletion(customerId, {
            contactId: e.contactId,
            channel: channelName(entry.contact.channel),
            queueId: entry.queueId,
            agentId: e.agentId,
            outcome:
              disposition?.code ||
              (e.reason === "WRAP_UP_ELAPSED" ? "wrap_up_elapsed" : "completed"),
            completedAtMs: e.atMs,
            ...(csat >= 1 && csat <= 5 ? { csat } : {}),
          }),
        )
        .catch((err: unknown) => {
          if (
            err instanceof LeaseLostError ||
            !(err instanceof SwitchboardError) ||
            err.code === "UNAVAILABLE"
          )
            throw err;
          ctx.logger.warn({ contactId: e.contactId, err }, "history not recorded");
        }),
    );
  }
  publishFinalEvent(
    ctx,
    entry,
    contactEventTask(ctx, entry, ContactEventType.COMPLETED, e.atMs, {
      agentId: e.agentId,
      queueId: entry.queueId,
      ...(e.reason === "WRAP_UP_ELAPSED" ? { reason: "wrap_up_elapsed" } : {}),
      ...(disposition === undefined ? {} : { disposition }),
    }),
  );
  ctx.state.contacts.delete(e.contactId);
}
