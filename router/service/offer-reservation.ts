import { channelName, SwitchboardError } from "../../core/index.js";
import { ContactEventType } from "../../proto/index.js";
import type { RouterEffect } from "../engine/decision.js";
import { LeaseLostError } from "./io-retry.js";
import type { PartitionContext } from "./partition-context.js";
import { publishOffer, publishOfferedEvent } from "./publish-events.js";

type OfferCreated = Extract<RouterEffect, { type: "OFFER_CREATED" }>;

/**
 * Commits an engine offer in the store (fenced by the lease) without holding up the engine: a
 * Redis round trip per offer on the ordered path capped a partition at a few hundred offers a
 * second. The engine counts the offer as live at once; nobody hears of it before the store
 * committed it: the offer message and the OFFERED event wait on the commit, and so do the
 * offer's release and withdrawal (`ctx.reservations`). A refused reservation — the store knows
 * better (a stale router's hold, a replay that chose differently) — is rejected back into the
 * engine as its own step on the ordered path, and the contact is routed again from there.
 */
export async function reserveOffer(
  ctx: PartitionContext,
  e: OfferCreated,
  /** The ordered step that undoes a refused offer in the engine (given, to avoid a cycle). */
  rejectRefused: (offerId: string, engineOfferId: string, version: number) => Promise<void>,
): Promise<void> {
  const { state } = ctx;
  const entry = state.contacts.get(e.offer.contactId);
  if (entry === undefined) return;
  const engineOfferId = e.offer.offerId;
  const offerId = `${state.generation}-${engineOfferId}`;
  const channel = channelName(entry.contact.channel);
  // Releases issued by earlier commands must have reached the store, or it would still count
  // their capacity and contact and refuse this reservation. Reservations themselves go out in
  // the engine's order on the one connection, so they need no wait.
  await ctx.pipe.reservationBarrier();
  const committed = ctx
    .io(() =>
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
    )
    .then((result) => {
      if (result.ok) return true;
      // Rejected into the command's batch: the partition steps down, the command is not acked.
      if (result.reason === "STALE_TOKEN") throw new LeaseLostError(ctx.tenant);
      ctx.logger.warn(
        { contactId: e.offer.contactId, agentId: e.offer.agentId, reason: result.reason },
        "reservation refused; re-routing the contact",
      );
      ctx.later(() => rejectRefused(offerId, engineOfferId, e.offer.version));
      return false;
    });
  void ctx.pipe.track(committed);
  ctx.reservations.set(
    offerId,
    committed.catch(() => false),
  );
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
  publishOfferedEvent(
    ctx,
    entry,
    committed,
    e.atMs,
    {
      agentId: e.offer.agentId,
      queueId: e.offer.queueId,
      offerId,
      decision: e.decision,
    },
    // Its sequence is taken already; a refused offer fills it with what happened instead.
    {
      type: ContactEventType.REJECTED,
      details: { agentId: e.offer.agentId, offerId, reason: "reservation_refused" },
    },
  );
}
