import type { Reservation } from "../../core/index.js";
import { readRecord } from "../../core/index.js";
import { type AgentSession, knowsOffer } from "./agent-session.js";
import { storedOffer } from "./agent-welcome.js";
import type { ServiceContext } from "./service-context.js";

/**
 * Brings each desktop on this gateway back in line with the store once the bus is back: what
 * was published while this gateway could not hear it never reached its subscription.
 * - A pending offer whose reservation ended (released, completed) is withdrawn.
 * - An offer reserved for the agent that the desktop never got is offered now; left alone, the
 *   agent could not answer it, it would time out and count as a miss against the agent.
 * One read of the active reservations per tenant. `withdrawnMeanwhile`: offers whose withdrawal
 * arrived while this ran, newer than what the store answered. A store that cannot answer leaves
 * that tenant's desktops to the offers' timeouts.
 */
export async function reconcileOffers(
  sessions: readonly AgentSession[],
  ctx: Pick<ServiceContext, "store" | "clock" | "logger">,
  withdrawnMeanwhile: ReadonlySet<string> = new Set(),
): Promise<{ withdrawn: number; offered: number }> {
  const byTenant = new Map<string, AgentSession[]>();
  for (const s of sessions) byTenant.set(s.tenant, [...(byTenant.get(s.tenant) ?? []), s]);
  let withdrawn = 0;
  let offered = 0;
  for (const [tenant, tenantSessions] of byTenant) {
    const store = ctx.store.forTenant(tenant);
    let active: Reservation[];
    try {
      active = await store.reservations.listActive();
    } catch (err) {
      ctx.logger.warn({ err, tenant }, "could not check pending offers after a reconnect");
      continue;
    }
    const live = new Set(active.map((r) => r.offerId));
    for (const session of tenantSessions) {
      for (const [offerId, offer] of session.pendingOffers) {
        if (live.has(offerId)) continue;
        session.pendingOffers.delete(offerId);
        session.send({
          event: {
            case: "offerWithdrawn",
            value: { offerId, contactId: offer.contactId, reason: "ended_while_disconnected" },
          },
        });
        withdrawn++;
      }
    }
    const sessionOf = new Map(tenantSessions.map((s) => [s.agentId, s]));
    for (const r of active) {
      const session = sessionOf.get(r.agentId);
      const missed = (s: AgentSession) =>
        r.state === "RESERVED" &&
        r.expiresAtMs > ctx.clock.nowMs() &&
        !knowsOffer(s, r.offerId, r.contactId) &&
        !withdrawnMeanwhile.has(r.offerId);
      if (session === undefined || !missed(session)) continue;
      let stored: Awaited<ReturnType<typeof readRecord>>;
      try {
        stored = await readRecord(store, r.contactId);
      } catch (err) {
        ctx.logger.warn({ err, tenant }, "could not read a missed offer's contact");
        break;
      }
      // The offer may have arrived, or been answered or withdrawn, during the read.
      if (stored?.record.contact === undefined || !missed(session)) continue;
      session.pendingOffers.set(r.offerId, {
        contactId: r.contactId,
        channel: stored.record.contact.channel,
        expireAtMs: r.expiresAtMs,
      });
      session.send({ event: { case: "offer", value: storedOffer(r, stored) } });
      offered++;
    }
  }
  if (withdrawn + offered > 0) {
    ctx.logger.info(
      { withdrawn, offered },
      "desktops brought in line with the store after a reconnect",
    );
  }
  return { withdrawn, offered };
}
