import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { Reservation, StoredRecord, TenantStore } from "../../core/index.js";
import { readRecord } from "../../core/index.js";
import { type Contact, type Offer, OfferSchema } from "../../proto/index.js";
import type { AgentSession } from "./agent-session.js";

/**
 * After a reconnect the desktop gets back what the store says is still its own: offers still
 * reserved for it and contacts it accepted. The session remembers them, so the agent can
 * answer those offers and complete those contacts on the new stream.
 */
export async function restoreAssignments(
  store: TenantStore,
  session: AgentSession,
): Promise<{ openContacts: Contact[]; pendingOffers: Offer[] }> {
  const mine = await store.reservations.listActiveForAgent(session.agentId);
  const openContacts: Contact[] = [];
  const pendingOffers: Offer[] = [];
  for (const reservation of mine) {
    const stored = await readRecord(store, reservation.contactId);
    if (stored === undefined) continue;
    const { contact } = stored.record;
    if (contact === undefined) continue;
    if (reservation.state === "CONFIRMED") {
      session.assigned.set(contact.id, contact.channel);
      openContacts.push(contact);
    } else {
      pendingOffers.push(pendStoredOffer(session, reservation, stored, contact));
    }
  }
  return { openContacts, pendingOffers };
}

/**
 * Marks the offer of a RESERVED reservation pending on the agent's desktop and returns it,
 * rebuilt from the store (storedOffer), for the caller to send.
 */
export function pendStoredOffer(
  session: AgentSession,
  reservation: Reservation,
  stored: StoredRecord,
  contact: Contact,
): Offer {
  session.pendingOffers.set(reservation.offerId, {
    contactId: contact.id,
    channel: contact.channel,
    expireAtMs: reservation.expiresAtMs,
  });
  return storedOffer(reservation, stored);
}

/**
 * The offer a reservation stands for, rebuilt from the store: its contact, its expiry, and its
 * routing decision while the contact's latest event is still this offer's OFFERED.
 */
function storedOffer(reservation: Reservation, stored: StoredRecord): Offer {
  const { contact, lastEvent } = stored.record;
  const decision = lastEvent?.offerId === reservation.offerId ? lastEvent.decision : undefined;
  return create(OfferSchema, {
    offerId: reservation.offerId,
    ...(contact === undefined ? {} : { contact }),
    ...(decision === undefined ? {} : { decision }),
    expireTime: timestampFromMs(reservation.expiresAtMs),
  });
}
