import { channelName, decodeContactRecord, SwitchboardError } from "../../core/index.js";
import { ContactEventType } from "../../proto/index.js";
import type { RouterEffect } from "../engine/decision.js";
import { LeaseLostError } from "./io-retry.js";
import type { PartitionContext } from "./partition-context.js";
import type { ContactEntry } from "./partition-state.js";
import {
  chainKeys,
  contactEventTask,
  publishAgentState,
  publishContactEvent,
  publishOffer,
  publishWithdrawal,
} from "./publish-events.js";

const stateReasons: Record<string, string> = {
  PRESENCE: "agent_request",
  WORKLOAD: "workload",
  MISSED_OFFERS: "missed_offers",
  REMOVED: "agent_removed",
  ADDED: "agent_added",
};

/**
 * Carries out the engine's effects in order. An offer is committed in the store (fenced by the
 * lease) before anyone hears of it — the one call awaited here, because a refused offer is
 * rejected back into the engine, whose follow-up effects (re-routing) join the list, and the
 * phantom offer's own end is not published. Every other call is issued into `ctx.pipe` and
 * awaited by the command's handler before its message is acked.
 */
export async function applyEffects(ctx: PartitionContext, first: RouterEffect[]): Promise<void> {
  const effects = [...first];
  const phantoms = new Set<string>();
  for (let i = 0; i < effects.length; i++) {
    const effect = effects[i];
    if (effect === undefined) continue;
    const more = await applyEffect(ctx, effect, phantoms);
    effects.push(...more);
  }
}

async function applyEffect(
  ctx: PartitionContext,
  e: RouterEffect,
  phantoms: Set<string>,
): Promise<RouterEffect[]> {
  const { state } = ctx;
  switch (e.type) {
    case "OFFER_CREATED": {
      const entry = state.contacts.get(e.offer.contactId);
      if (entry === undefined) return [];
      const offerId = `${state.generation}-${e.offer.offerId}`;
      const channel = channelName(entry.contact.channel);
      // Releases issued by earlier commands must have reached the store, or it would still
      // count their capacity and contact and refuse this reservation.
      await ctx.pipe.reservationBarrier();
      const result = await ctx.io(() =>
        ctx.store.reservations
          .reserve({
            contactId: e.offer.contactId,
            agentId: e.offer.agentId,
            offerId,
            channel,
            weightMilli: ctx.weightMilli(e.offer.agentId, channel),
            capacityMilli: ctx.capacityMilli,
            expiresAtMs: e.offer.expiresAtMs,
            fence: ctx.lease,
          })
          // A replay that chose differently for an id already used counts as a refusal.
          .catch((error: unknown) => {
            if (error instanceof SwitchboardError && error.code === "ALREADY_EXISTS") {
              return { ok: false as const, reason: "CONTACT_RESERVED" as const };
            }
            throw error;
          }),
      );
      if (!result.ok) {
        if (result.reason === "STALE_TOKEN") throw new LeaseLostError(ctx.tenant);
        ctx.logger.warn(
          { contactId: e.offer.contactId, agentId: e.offer.agentId, reason: result.reason },
          "reservation refused; re-routing the contact",
        );
        phantoms.add(e.offer.offerId);
        return state.engine.rejectOffer({
          nowMs: ctx.nowMs(),
          offerId: e.offer.offerId,
          version: e.offer.version,
        });
      }
      const offer = {
        offerId,
        engineOfferId: e.offer.offerId,
        version: e.offer.version,
        contactId: e.offer.contactId,
        agentId: e.offer.agentId,
      };
      entry.queueId = e.offer.queueId;
      state.offers.set(offerId, offer);
      state.offerByEngineId.set(e.offer.offerId, offerId);
      publishOffer(ctx, entry, {
        ...offer,
        expiresAtMs: e.offer.expiresAtMs,
        decision: e.decision,
      });
      publishContactEvent(ctx, entry, ContactEventType.OFFERED, e.atMs, {
        agentId: e.offer.agentId,
        queueId: e.offer.queueId,
        offerId,
        decision: e.decision,
      });
      return [];
    }
    case "OFFER_REJECTED":
    case "OFFER_EXPIRED":
    case "OFFER_CANCELLED": {
      if (phantoms.delete(e.offerId)) return [];
      const offerId = state.offerByEngineId.get(e.offerId);
      if (offerId === undefined) return [];
      state.offers.delete(offerId);
      state.offerByEngineId.delete(e.offerId);
      releaseReservation(ctx, offerId);
      const offer = { offerId, agentId: e.agentId, contactId: e.contactId };
      const entry = state.contacts.get(e.contactId);
      if (e.type === "OFFER_REJECTED") {
        // The router said no for the agent (too late, desktop gone): the desktop may still
        // show the offer, so it is withdrawn before the contact can be offered again.
        const withdrawal = ctx.withdrawOnReject.get(e.offerId);
        ctx.withdrawOnReject.delete(e.offerId);
        if (withdrawal !== undefined) publishWithdrawal(ctx, offer, withdrawal);
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
      publishWithdrawal(ctx, offer, reason);
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
      if (entry === undefined) return [];
      publishContactEvent(ctx, entry, ContactEventType.ACCEPTED, e.atMs, {
        agentId: e.agentId,
        offerId,
        queueId: entry.queueId,
      });
      publishContactEvent(ctx, entry, ContactEventType.CONNECTED, e.atMs, {
        agentId: e.agentId,
        offerId,
        queueId: entry.queueId,
      });
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
function fenced(
  ctx: PartitionContext,
  call: () => Promise<{ ok: boolean; reason?: string }>,
): void {
  void ctx.pipe.reservationWrite(
    ctx.io(call).then((result) => {
      if (!result.ok && result.reason === "STALE_TOKEN") throw new LeaseLostError(ctx.tenant);
    }),
  );
}

const releaseReservation = (ctx: PartitionContext, offerId: string): void =>
  fenced(ctx, () => ctx.store.reservations.release(offerId, ctx.lease));

const completeReservation = (ctx: PartitionContext, contactId: string): void =>
  fenced(ctx, () => ctx.store.reservations.complete(contactId, ctx.lease));

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
