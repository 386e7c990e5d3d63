import { readRecord } from "../../core/index.js";
import { type AgentSession, knowsOffer } from "./agent-session.js";
import { pendStoredOffer } from "./agent-welcome.js";
import type { ServiceContext } from "./service-context.js";

/**
 * Brings each desktop on this gateway back in line with the store once the bus is back: what
 * was published while this gateway could not hear it never reached its subscription.
 * - A pending offer whose reservation ended (released, completed) is withdrawn.
 * - An offer reserved for the agent that the desktop never got is offered now; left alone, the
 *   agent could not answer it, it would time out and count as a miss against the agent.
 * One read of each connected agent's active reservations (its own index in the store), all
 * desktops at once. `withdrawnMeanwhile`: offers whose withdrawal arrived while this ran, newer
 * than what the store answered. A desktop whose read fails is left to the offers' timeouts.
 */
export async function reconcileOffers(
  sessions: readonly AgentSession[],
  ctx: Pick<ServiceContext, "store" | "clock" | "logger">,
  withdrawnMeanwhile: ReadonlySet<string> = new Set(),
): Promise<{ withdrawn: number; offered: number }> {
  const counts = await Promise.all(
    sessions.map((session) =>
      reconcileOne(session, ctx, withdrawnMeanwhile).catch((err: unknown) => {
        const { tenant, agentId } = session;
        ctx.logger.warn({ err, tenant, agentId }, "could not check a desktop after a reconnect");
        return { withdrawn: 0, offered: 0 };
      }),
    ),
  );
  const withdrawn = counts.reduce((n, c) => n + c.withdrawn, 0);
  const offered = counts.reduce((n, c) => n + c.offered, 0);
  if (withdrawn + offered > 0) {
    ctx.logger.info(
      { withdrawn, offered },
      "desktops brought in line with the store after a reconnect",
    );
  }
  return { withdrawn, offered };
}

async function reconcileOne(
  session: AgentSession,
  ctx: Pick<ServiceContext, "store" | "clock">,
  withdrawnMeanwhile: ReadonlySet<string>,
): Promise<{ withdrawn: number; offered: number }> {
  const store = ctx.store.forTenant(session.tenant);
  const active = await store.reservations.listActiveForAgent(session.agentId);
  const live = new Set(active.map((r) => r.offerId));
  let withdrawn = 0;
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
  let offered = 0;
  for (const r of active) {
    const missed = () =>
      r.state === "RESERVED" &&
      r.expiresAtMs > ctx.clock.nowMs() &&
      !knowsOffer(session, r.offerId) &&
      !withdrawnMeanwhile.has(r.offerId);
    if (!missed()) continue;
    const stored = await readRecord(store, r.contactId);
    const contact = stored?.record.contact;
    // The offer may have arrived, or been answered or withdrawn, during the read.
    if (stored === undefined || contact === undefined || !missed()) continue;
    session.send({ event: { case: "offer", value: pendStoredOffer(session, r, stored, contact) } });
    offered++;
  }
  return { withdrawn, offered };
}
