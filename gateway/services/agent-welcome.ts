import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { TenantStore } from "../../core/index.js";
import { readRecord } from "../../core/index.js";
import { type Contact, type Offer, OfferSchema } from "../../proto/index.js";
import type { AgentSession } from "./agent-sessions.js";

/**
 * After a reconnect the desktop gets back what the store says is still its own: offers still
 * reserved for it and contacts it accepted. The session remembers them, so the agent can
 * answer those offers and complete those contacts on the new stream.
 */
export async function restoreAssignments(
  store: TenantStore,
  session: AgentSession,
): Promise<{ openContacts: Contact[]; pendingOffers: Offer[] }> {
  const mine = (await store.reservations.listActive()).filter((r) => r.agentId === session.agentId);
  const openContacts: Contact[] = [];
  const pendingOffers: Offer[] = [];
  for (const reservation of mine) {
    const contact = (await readRecord(store, reservation.contactId))?.record.contact;
    if (contact === undefined) continue;
    if (reservation.state === "CONFIRMED") {
      session.assigned.set(contact.id, contact.channel);
      openContacts.push(contact);
    } else {
      session.pendingOffers.set(reservation.offerId, {
        contactId: contact.id,
        channel: contact.channel,
        expireAtMs: reservation.expiresAtMs,
      });
      pendingOffers.push(
        create(OfferSchema, {
          offerId: reservation.offerId,
          contact,
          expireTime: timestampFromMs(reservation.expiresAtMs),
        }),
      );
    }
  }
  return { openContacts, pendingOffers };
}
