import { create } from "@bufbuild/protobuf";
import {
  type Bus,
  type ContactIntake,
  type Conversations,
  decodeAgent,
  decodeContactEvent,
  decodeConversationMessage,
  type Logger,
  type PositionUpdate,
  pipelineFilters,
  type Store,
  type Subscription,
  subscribePositions,
} from "../../core/index.js";
import {
  Channel,
  type ContactEvent,
  ContactEventType,
  ConversationMessageSchema,
  MessageSender,
} from "../../proto/index.js";
import type { ServerFrame } from "./chat-frames.js";
import { isEnded, isWithAgent, messageFrame, statusFrame } from "./chat-status.js";
import type { WebMetrics } from "./web-metrics.js";

/** One customer socket on this process, as the hub sees it. */
export interface ChatPeer {
  readonly tenant: string;
  readonly contactId: string;
  send(frame: ServerFrame): void;
  /** Highest ContactEvent sequence shown (older status frames are dropped). */
  lastSequence: number;
  /** The contact ended: customer messages are refused. */
  ended: boolean;
}

/**
 * The sockets this process holds, by contact, and what reaches them: agent messages, typing
 * and lifecycle events arrive on non-durable bus subscriptions (every gateway replica sees
 * them and pushes to the sockets it holds; messages are durable in the transcript, which a
 * (re)connecting socket receives first). Also the grace period: a contact whose customer has
 * no socket open for `graceMs` is ended as ABANDONED.
 */
export interface ChatHub {
  attach(peer: ChatPeer): void;
  /** Sockets this process holds for the contact. */
  count(tenant: string, contactId: string): number;
  detach(peer: ChatPeer): void;
  /** A session was created: the grace period runs until its first socket attaches. */
  waitForCustomer(tenant: string, contactId: string): void;
  /** The customer said goodbye (or stayed away too long). */
  customerLeft(tenant: string, contactId: string): Promise<void>;
  /** The agent's display name (cached), "Agent" when unknown. */
  agentName(tenant: string, agentId: string): Promise<string>;
  /** Live position updates (from the router's position feed) for the sockets held here. */
  position(update: PositionUpdate): void;
  start(): Promise<void>;
  stop(): void;
}

export interface ChatHubOptions {
  readonly bus: Bus;
  readonly store: Store;
  readonly intake: ContactIntake;
  readonly conversations: Conversations;
  readonly logger: Logger;
  readonly metrics: WebMetrics;
  readonly graceMs: number;
  /** Identifies this process in the shared presence record. */
  readonly instanceId: string;
  readonly presenceTtlMs: number;
  readonly nowMs: () => number;
}

const PRESENCE = "chat-presence";

export function createChatHub(options: ChatHubOptions): ChatHub {
  const { bus, store, intake, conversations, logger, metrics } = options;
  const peers = new Map<string, Set<ChatPeer>>();
  const timers = new Map<string, NodeJS.Timeout>();
  const names = new Map<string, string>();
  const subscriptions: Subscription[] = [];
  // Event frames go out in arrival order even when one needs an agent-name lookup.
  let events: Promise<void> = Promise.resolve();
  let stopped = false;

  const key = (tenant: string, contactId: string) => `${tenant}/${contactId}`;
  const held = (tenant: string, contactId: string) => peers.get(key(tenant, contactId));
  const broadcast = (tenant: string, contactId: string, frame: ServerFrame) => {
    for (const peer of held(tenant, contactId) ?? []) peer.send(frame);
  };
  const presence = (tenant: string, contactId: string, value: string) =>
    store
      .forTenant(tenant)
      .channelState.put(PRESENCE, contactId, value, options.presenceTtlMs)
      .catch((err: unknown) => logger.warn({ err, contactId }, "chat presence not stored"));
  const clearTimer = (k: string) => {
    const timer = timers.get(k);
    if (timer !== undefined) clearTimeout(timer);
    timers.delete(k);
  };

  const agentName = async (tenant: string, agentId: string): Promise<string> => {
    const k = key(tenant, agentId);
    const cached = names.get(k);
    if (cached !== undefined) return cached;
    const item = await store
      .forTenant(tenant)
      .config.get("agent", agentId)
      .catch(() => undefined);
    const name = (item === undefined ? "" : decodeAgent(item.data).displayName) || "Agent";
    if (names.size > 10_000) names.clear();
    names.set(k, name);
    return name;
  };

  const onEvent = async (event: ContactEvent) => {
    const list = held(event.tenant, event.contactId);
    if (isEnded(event.type)) clearTimer(key(event.tenant, event.contactId));
    if (list === undefined || list.size === 0) return;
    const name =
      event.agentId !== "" && isWithAgent(event.type)
        ? await agentName(event.tenant, event.agentId)
        : undefined;
    const frame = statusFrame(event, name);
    const sequence = Number(event.sequence);
    for (const peer of list) {
      if (sequence <= peer.lastSequence) continue;
      peer.lastSequence = sequence;
      if (isEnded(event.type)) peer.ended = true;
      if (frame !== undefined) peer.send(frame);
      if (event.type === ContactEventType.ACCEPTED && name !== undefined) {
        peer.send({ type: "agent_joined", agentName: name });
      }
      if (event.type === ContactEventType.COMPLETED) peer.send({ type: "csat_request" });
    }
  };

  // Fires when the customer stayed away for the grace period; another replica may hold a
  // newer socket (the shared presence record says so), or the contact may have ended.
  const graceOver = async (tenant: string, contactId: string) => {
    if ((held(tenant, contactId)?.size ?? 0) > 0) return;
    const here = await store.forTenant(tenant).channelState.get(PRESENCE, contactId);
    if (here?.startsWith("here:") && here !== `here:${options.instanceId}`) return;
    await hub.customerLeft(tenant, contactId);
  };

  const hub: ChatHub = {
    count(tenant, contactId) {
      return held(tenant, contactId)?.size ?? 0;
    },
    attach(peer) {
      const k = key(peer.tenant, peer.contactId);
      const set = peers.get(k) ?? new Set<ChatPeer>();
      peers.set(k, set);
      set.add(peer);
      clearTimer(k);
      void presence(peer.tenant, peer.contactId, `here:${options.instanceId}`);
    },
    detach(peer) {
      const k = key(peer.tenant, peer.contactId);
      const set = peers.get(k);
      set?.delete(peer);
      if (set !== undefined && set.size > 0) return;
      peers.delete(k);
      if (peer.ended || stopped) return;
      void presence(peer.tenant, peer.contactId, `away:${options.nowMs()}`);
      hub.waitForCustomer(peer.tenant, peer.contactId);
    },
    waitForCustomer(tenant, contactId) {
      const k = key(tenant, contactId);
      if (stopped || (peers.get(k)?.size ?? 0) > 0) return;
      clearTimer(k);
      const timer = setTimeout(() => {
        timers.delete(k);
        graceOver(tenant, contactId).catch((err: unknown) =>
          logger.error({ err, contactId }, "chat grace period: could not end the contact"),
        );
      }, options.graceMs);
      timer.unref();
      timers.set(k, timer);
    },
    async customerLeft(tenant, contactId) {
      const view = await intake.get(tenant, contactId);
      const last = view?.lastEvent?.type;
      if (view === undefined || (last !== undefined && isEnded(last))) return;
      if (last !== undefined && isWithAgent(last)) {
        // The router refuses to cancel a contact an agent holds (the agent completes it): the
        // agent finds the departure in the transcript.
        await conversations.publish(
          create(ConversationMessageSchema, {
            id: `customer-left-${options.nowMs()}`,
            contactId,
            tenant,
            channel: Channel.CHAT,
            sender: MessageSender.SYSTEM,
            text: "The customer left the chat.",
            metadata: { event: "customer_left" },
          }),
        );
        logger.info({ contactId }, "chat customer left while with an agent");
        return;
      }
      await intake.cancel(tenant, contactId, { reason: "customer_left", abandoned: true });
      metrics.abandoned.inc();
      logger.info({ contactId }, "chat customer left; contact abandoned");
    },
    agentName,
    position(update) {
      if (update.channel !== Channel.CHAT) return;
      const frame: Extract<ServerFrame, { type: "position" }> = {
        type: "position",
        position: update.position,
      };
      if (update.expectedWaitMs !== undefined) {
        frame.expectedWaitSeconds = Math.round(update.expectedWaitMs / 1000);
      }
      broadcast(update.tenant, update.contactId, frame);
    },
    async start() {
      subscriptions.push(
        await bus.subscribe(pipelineFilters.messages(bus.subjects, Channel.CHAT), (n) => {
          const message = decodeConversationMessage(n.data);
          broadcast(message.tenant, message.contactId, messageFrame(message));
        }),
        await bus.subscribe(pipelineFilters.contactEvents(bus.subjects), (n) => {
          const event = decodeContactEvent(n.data);
          if (event.channel !== Channel.CHAT) return;
          events = events.then(
            () => onEvent(event),
            () => onEvent(event),
          );
          return events;
        }),
        await subscribePositions(bus, (update) => hub.position(update)),
        await conversations.onTyping((indicator) => {
          if (indicator.sender !== MessageSender.AGENT || indicator.channel !== Channel.CHAT) {
            return;
          }
          const peersHere = held(indicator.tenant, indicator.contactId);
          if (peersHere === undefined) return;
          void agentName(indicator.tenant, indicator.agentId).then((name) => {
            for (const peer of peersHere) {
              peer.send({
                type: "typing",
                from: "agent",
                typing: indicator.typing,
                agentName: name,
              });
            }
          });
        }),
      );
    },
    stop() {
      stopped = true;
      for (const s of subscriptions.splice(0)) s.unsubscribe();
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
  return hub;
}
