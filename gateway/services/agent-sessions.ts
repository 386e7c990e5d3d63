import { create } from "@bufbuild/protobuf";
import {
  agentCommandSubject,
  decodeAgentEvent,
  encodeAgentCommand,
  msgIds,
  pipelineFilters,
  type Subscription,
} from "../../core/index.js";
import {
  AgentCommandSchema,
  AgentServiceConnectResponseSchema,
  type Channel,
} from "../../proto/index.js";
import { EncodedMessage } from "../grpc/adapter.js";
import { type AgentSession, knowsOffer } from "./agent-session.js";
import { readOfferNotice } from "./offer-notice.js";
import { reconcileOffers } from "./offer-reconcile.js";
import type { ServiceContext } from "./service-context.js";

export interface AgentSessions {
  /** Makes `session` the agent's stream here, replacing (and aborting) an older one. */
  attach(session: AgentSession): void;
  /**
   * The stream ended. Unless it was replaced or the agent went OFFLINE on purpose, the agent
   * gets `graceMs` to come back before the router is told (AgentDisconnected).
   */
  detach(session: AgentSession, reason: "offline" | "stream_closed"): void;
  /** This gateway's stream of the agent holding `contactId`, if any (one map lookup). */
  holding(tenant: string, contactId: string): AgentSession | undefined;
  /** The `assigned` map of a new session of this agent: kept indexed for `holding`. */
  assignments(tenant: string, agentId: string): Map<string, Channel>;
  /** Shutdown: every connected or grace-waiting agent is reported disconnected at once. */
  close(): Promise<void>;
}

const keyOf = (tenant: string, id: string) => `${tenant}\u0000${id}`;

/** A session's assigned contacts, mirrored into the holders index (contact → agent). */
class IndexedAssignments extends Map<string, Channel> {
  constructor(
    private readonly holders: Map<string, string>,
    private readonly tenant: string,
    private readonly agentKey: string,
  ) {
    super();
  }

  override set(contactId: string, channel: Channel): this {
    // Map's constructor calls set before the fields exist (never with entries here).
    this.holders?.set(keyOf(this.tenant, contactId), this.agentKey);
    return super.set(contactId, channel);
  }

  override delete(contactId: string): boolean {
    const key = keyOf(this.tenant, contactId);
    if (this.holders.get(key) === this.agentKey) this.holders.delete(key);
    return super.delete(contactId);
  }

  override clear(): void {
    for (const contactId of this.keys()) this.delete(contactId);
  }
}

/**
 * The process-wide side of AgentService: one subscription on every offer subject and one on
 * agent events, delivering to the local stream of that agent (agents connected elsewhere are
 * another gateway's business), plus the grace timers of dropped streams. Offers travel on a
 * plain subscription rather than a per-gateway consumer, which would replay the whole offers
 * stream at every gateway start. What the subscription missed while the bus was cut off is
 * made good from the store once it is back (`reconcileOffers`): ended offers withdrawn,
 * missed ones offered.
 */
export async function startAgentSessions(
  ctx: ServiceContext,
  graceMs: number,
): Promise<AgentSessions> {
  const logger = ctx.logger.child({ component: "agent-sessions" });
  const sessions = new Map<string, AgentSession>();
  const graceTimers = new Map<string, { timer: NodeJS.Timeout; tenant: string; agentId: string }>();
  let closed = false;

  const publishDisconnected = async (tenant: string, agentId: string, reason: string) => {
    const requestId = ctx.ids.next();
    const command = create(AgentCommandSchema, {
      agentId,
      requestId,
      time: ctx.commandTime(),
      command: { case: "disconnected", value: { gatewayId: ctx.gatewayId, reason } },
    });
    try {
      await ctx.bus.publish(
        agentCommandSubject(ctx.bus.subjects, tenant, agentId),
        encodeAgentCommand(command),
        { msgId: msgIds.agentCommand(tenant, agentId, requestId) },
      );
    } catch (err) {
      // The router still learns it: the agent's offers time out and it is set AWAY.
      logger.error({ err, tenant, agentId }, "could not publish AgentDisconnected");
    }
  };

  const sessionFor = (subject: string) => {
    const parsed = ctx.bus.subjects.parse(subject);
    if (parsed.kind !== "offer" && parsed.kind !== "agent") return undefined;
    return sessions.get(keyOf(parsed.tenant, parsed.agentId));
  };

  const offers: Subscription = await ctx.bus.subscribe(
    pipelineFilters.offers(ctx.bus.subjects),
    (notification) => {
      const session = sessionFor(notification.subject);
      if (session === undefined) return;
      // Forwarded as the router encoded it; only what the session keeps is read.
      const notice = readOfferNotice(notification.data);
      if (notice.case === "offer") {
        // Already on the desktop (offered from the store after a reconnect) or answered there.
        if (knowsOffer(session, notice.offerId)) return;
        session.pendingOffers.set(notice.offerId, {
          contactId: notice.contactId,
          channel: notice.channel,
          expireAtMs: notice.expireAtMs,
        });
      } else if (notice.case === "offerWithdrawn") {
        session.pendingOffers.delete(notice.offerId);
        withdrawnMeanwhile?.add(notice.offerId);
      } else {
        logger.warn(
          { subject: notification.subject, field: notice.fieldNo },
          "not an offer; ignored",
        );
        return;
      }
      session.send(new EncodedMessage(AgentServiceConnectResponseSchema, notification.data));
    },
  );
  const states: Subscription = await ctx.bus.subscribe(
    pipelineFilters.agentEvents(ctx.bus.subjects),
    (notification) => {
      const session = sessionFor(notification.subject);
      if (session === undefined) return;
      const event = decodeAgentEvent(notification.data);
      session.send({
        event: {
          case: "stateChanged",
          value: {
            state: event.state,
            previousState: event.previousState,
            reason: event.reason,
            ...(event.time && { stateTime: event.time }),
          },
        },
      });
    },
  );

  // Offers and withdrawals published while this gateway was cut off from NATS never reached
  // the subscription above. Back online, the desktops are checked against the store; the
  // withdrawals that arrive meanwhile are newer than its answer and are kept aside for it.
  let withdrawnMeanwhile: Set<string> | null = null;
  const stopReconcile = ctx.bus.onReconnect(() => {
    const withdrawn = new Set<string>();
    withdrawnMeanwhile = withdrawn;
    void reconcileOffers([...sessions.values()], { ...ctx, logger }, withdrawn).finally(() => {
      if (withdrawnMeanwhile === withdrawn) withdrawnMeanwhile = null;
    });
  });

  // (tenant, contactId) → the agent (session key) that last took it here: customer messages
  // and keystrokes find their agent without a pass over every session.
  const holders = new Map<string, string>();
  const holding = (tenant: string, contactId: string): AgentSession | undefined => {
    const agentKey = holders.get(keyOf(tenant, contactId));
    const session = agentKey === undefined ? undefined : sessions.get(agentKey);
    return session?.assigned.has(contactId) === true ? session : undefined;
  };
  /** Forgets `session`'s contacts unless the agent's current stream holds them. */
  const unindex = (session: AgentSession) => {
    const agentKey = keyOf(session.tenant, session.agentId);
    const current = sessions.get(agentKey);
    for (const contactId of session.assigned.keys()) {
      const key = keyOf(session.tenant, contactId);
      if (holders.get(key) === agentKey && current?.assigned.has(contactId) !== true) {
        holders.delete(key);
      }
    }
  };

  return {
    holding,
    assignments(tenant, agentId) {
      return new IndexedAssignments(holders, tenant, keyOf(tenant, agentId));
    },
    attach(session) {
      const key = keyOf(session.tenant, session.agentId);
      const grace = graceTimers.get(key);
      if (grace !== undefined) {
        clearTimeout(grace.timer);
        graceTimers.delete(key);
      }
      const previous = sessions.get(key);
      sessions.set(key, session);
      previous?.replaced.abort();
    },
    detach(session, reason) {
      const key = keyOf(session.tenant, session.agentId);
      if (sessions.get(key) !== session) {
        unindex(session);
        return; // replaced: the newer stream owns the agent
      }
      sessions.delete(key);
      unindex(session);
      if (closed || reason === "offline") return;
      const { tenant, agentId } = session;
      const timer = setTimeout(() => {
        graceTimers.delete(key);
        void publishDisconnected(tenant, agentId, "stream_closed");
      }, graceMs);
      graceTimers.set(key, { timer, tenant, agentId });
    },
    async close() {
      closed = true;
      stopReconcile();
      offers.unsubscribe();
      states.unsubscribe();
      const gone = [...sessions.values(), ...graceTimers.values()];
      for (const { timer } of graceTimers.values()) clearTimeout(timer);
      graceTimers.clear();
      sessions.clear();
      holders.clear();
      await Promise.all(
        gone.map(({ tenant, agentId }) => publishDisconnected(tenant, agentId, "gateway_shutdown")),
      );
    },
  };
}
