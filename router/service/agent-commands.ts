import { timestampMs } from "@bufbuild/protobuf/wkt";
import { decodeAgent } from "../../core/index.js";
import { type AgentCommand, AgentState } from "../../proto/index.js";
import type { RouterEffect } from "../engine/decision.js";
import { RouterError } from "../engine/errors.js";
import { applyEffects } from "./apply-effects.js";
import { agentToProfile } from "./config-mapping.js";
import { protoToPresence } from "./event-mapping.js";
import { LeaseLostError, StateDivergedError } from "./io-retry.js";
import type { PartitionContext } from "./partition-context.js";

/** An agent the engine does not know yet is loaded from the store's configuration. */
async function ensureAgent(
  ctx: PartitionContext,
  agentId: string,
  nowMs: number,
): Promise<boolean> {
  if (ctx.state.engine.getAgent(agentId) !== undefined) return true;
  const item = await ctx.io(() => ctx.store.config.get("agent", agentId));
  if (item === undefined) return false;
  await applyEffects(
    ctx,
    ctx.state.engine.upsertAgent({ nowMs, agent: agentToProfile(decodeAgent(item.data)) }),
  );
  return true;
}

async function accept(
  ctx: PartitionContext,
  offerId: string,
  nowMs: () => number,
): Promise<RouterEffect[]> {
  const offer = ctx.state.offers.get(offerId);
  if (offer === undefined) {
    ctx.logger.info({ offerId }, "accept for an offer no longer live (expired or withdrawn)");
    return [];
  }
  const vouched = ctx.vouched.get(offerId);
  if (vouched !== undefined) {
    // Reserved by this leader and live in its engine: applied at once, confirmed in the epoch.
    // The store can only refuse if it disagrees with what this leader committed itself.
    const confirmed = ctx.reservations.add({ kind: "confirmLive", input: vouched }, (result) => {
      if (result.ok) return;
      if (result.reason === "STALE_TOKEN") throw new LeaseLostError(ctx.tenant);
      throw new StateDivergedError(ctx.tenant, offerId, result.reason);
    });
    ctx.confirmations.set(offer.engineOfferId, confirmed);
    return ctx.state.engine.acceptOffer({
      nowMs: nowMs(),
      offerId: offer.engineOfferId,
      version: offer.version,
    });
  }
  // Inherited from the previous leader: the store decides, so wait for its answer. An offer it
  // already released (expired) cannot be accepted any more.
  const result = await ctx.reservations.now({ kind: "confirm", offerId });
  if (!result.ok) {
    if (result.reason === "STALE_TOKEN") throw new LeaseLostError(ctx.tenant);
    ctx.logger.info(
      { offerId, contactId: offer.contactId, reason: result.reason },
      "accept too late",
    );
    // The engine may still count the offer as live (its clock trails the store's a little):
    // the desktop that accepted is told the offer is gone before anyone else is offered it.
    ctx.withdrawOnReject.set(offer.engineOfferId, "offer_timeout");
    return ctx.state.engine.rejectOffer({
      nowMs: nowMs(),
      offerId: offer.engineOfferId,
      version: offer.version,
    });
  }
  return ctx.state.engine.acceptOffer({
    nowMs: nowMs(),
    offerId: offer.engineOfferId,
    version: offer.version,
  });
}

async function effectsOf(ctx: PartitionContext, command: AgentCommand): Promise<RouterEffect[]> {
  const { engine } = ctx.state;
  const agentId = command.agentId;
  const timeMs = command.time ? timestampMs(command.time) : undefined;
  const nowMs = () => ctx.nowMs(timeMs);
  const c = command.command;
  switch (c.case) {
    case "connected": {
      if (!(await ensureAgent(ctx, agentId, nowMs()))) {
        ctx.logger.warn({ agentId }, "connected agent is not configured; ignored");
        return [];
      }
      const wanted = c.value.initialState === AgentState.AVAILABLE ? "AVAILABLE" : "AWAY";
      return engine.setAgentPresence({ nowMs: nowMs(), agentId, presence: wanted });
    }
    case "disconnected": {
      if (engine.getAgent(agentId) === undefined) return [];
      // Its desktop is gone, so its pending offers cannot be answered: OFFLINE first (so it gets
      // nothing new), then re-route them now instead of waiting for their timeout.
      const effects = engine.setAgentPresence({ nowMs: nowMs(), agentId, presence: "OFFLINE" });
      for (const offer of [...ctx.state.offers.values()]) {
        if (offer.agentId !== agentId) continue;
        const v = { nowMs: nowMs(), offerId: offer.engineOfferId, version: offer.version };
        try {
          // A desktop that comes back (on another gateway, say) must not still show it.
          ctx.withdrawOnReject.set(offer.engineOfferId, "agent_offline");
          effects.push(...engine.rejectOffer(v));
        } catch (error) {
          // Already over in the engine: nothing to re-route, and the rest must still happen.
          ctx.withdrawOnReject.delete(offer.engineOfferId);
          if (!(error instanceof RouterError)) throw error;
        }
      }
      return effects;
    }
    case "setPresence":
      if (!(await ensureAgent(ctx, agentId, nowMs()))) return [];
      return engine.setAgentPresence({
        nowMs: nowMs(),
        agentId,
        presence: protoToPresence(c.value.state),
      });
    case "acceptOffer":
      return accept(ctx, c.value.offerId, nowMs);
    case "rejectOffer": {
      const offer = ctx.state.offers.get(c.value.offerId);
      if (offer === undefined) return [];
      return engine.rejectOffer({
        nowMs: nowMs(),
        offerId: offer.engineOfferId,
        version: offer.version,
      });
    }
    case "startWrapUp":
      return engine.startWrapUp({ nowMs: nowMs(), contactId: c.value.contactId });
    case "completeContact": {
      const entry = ctx.state.contacts.get(c.value.contactId);
      const d = c.value.disposition;
      if (entry && d) entry.disposition = d;
      return engine.completeContact({
        nowMs: nowMs(),
        contactId: c.value.contactId,
        ...(d
          ? {
              outcome: {
                resolved: d.resolved,
                ...(d.code ? { code: d.code } : {}),
                ...(d.csat >= 1 && d.csat <= 5 ? { csat: d.csat } : {}),
              },
            }
          : {}),
      });
    }
    case "transferContact": {
      const t = c.value.target;
      if (t.case === undefined) return [];
      const target = t.case === "agentId" ? { agentId: t.value } : { queueId: t.value };
      return engine.transferContact({ nowMs: nowMs(), contactId: c.value.contactId, target });
    }
    case "profileChanged": {
      const { agent, deleted } = c.value;
      if (deleted || agent === undefined) {
        if (engine.getAgent(agentId) === undefined) return [];
        return engine.removeAgent({ nowMs: nowMs(), agentId });
      }
      return engine.upsertAgent({ nowMs: nowMs(), agent: agentToProfile(agent) });
    }
    case undefined:
      return [];
  }
}

/** Routine refusals (a late accept, an unknown contact) are logged; outages propagate. */
export async function handleAgentCommand(
  ctx: PartitionContext,
  command: AgentCommand,
): Promise<void> {
  let effects: RouterEffect[];
  try {
    effects = await effectsOf(ctx, command);
  } catch (error) {
    if (!(error instanceof RouterError)) throw error;
    ctx.logger.warn(
      { agentId: command.agentId, command: command.command.case, err: error },
      "agent command refused",
    );
    return;
  }
  await applyEffects(ctx, effects);
}
