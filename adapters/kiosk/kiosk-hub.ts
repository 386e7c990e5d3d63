import type { MessageInitShape } from "@bufbuild/protobuf";
import { durationFromMs, durationMs } from "@bufbuild/protobuf/wkt";
import {
  type Bus,
  type ContactView,
  decodeAgent,
  decodeContactEvent,
  type Logger,
  type Store,
  type Subscription,
  TERMINAL_EVENTS,
} from "../../core/index.js";
import {
  type ContactEvent,
  ContactEventType,
  KioskFaultCode,
  KioskFaultState,
  type KioskServiceConnectResponseSchema,
  KioskStatus,
  type KioskStatusUpdate,
  type KioskStatusUpdateSchema,
} from "../../proto/index.js";
import type { KioskDevice, KioskSettings } from "./kiosk-config.js";
import type { KioskMetrics } from "./kiosk-metrics.js";
import type { ContactOwner, KioskState } from "./kiosk-state.js";

export type KioskResponse = MessageInitShape<typeof KioskServiceConnectResponseSchema>;
type StatusInit = MessageInitShape<typeof KioskStatusUpdateSchema>;

/** One device's stream on this process. */
export interface KioskSession {
  readonly device: KioskDevice;
  readonly language: string;
  /** Aborted when a newer stream of the same device takes over. */
  readonly replaced: AbortController;
  send(message: KioskResponse): void;
}

/** What this process knows about one kiosk contact while it is open. */
interface Route {
  readonly tenant: string;
  readonly contactId: string;
  readonly owner: ContactOwner;
  /** Highest ContactEvent.sequence turned into a device message (0: none yet). */
  lastSequence: number;
  /** Something was sent to the device for it (the first answer to a help request). */
  answered: boolean;
  callbackOffered: boolean;
  callbackAccepted: boolean;
  /** Last status sent, for position updates from the live feed. */
  status: KioskStatus;
}

/** Position/expected wait of a waiting contact from the router's live feed. */
export interface PositionUpdate {
  readonly tenant: string;
  readonly contactId: string;
  readonly position: number;
  readonly expectedWaitMs: number | undefined;
}

/**
 * Delivery to devices. A gateway process holds some device streams (`sessions`); contact
 * events reach every process through one non-durable subscription on
 * `<root>.contact.*.kiosk.event`, and each process forwards what concerns the devices it holds:
 * contactId → device is kept in memory for contacts created here, and read from the shared
 * channelState for the others (a device that reconnected to this process after a restart).
 * Faults are released by whichever process sees the contact end, device connected or not.
 */
export interface KioskHub {
  readonly sessions: Map<string, KioskSession>;
  /** Takes over the device: a previous stream of it is told to end (ALREADY_EXISTS). */
  attach(session: KioskSession): void;
  detach(session: KioskSession): void;
  /** Registers a contact created by (or resumed for) a local device. */
  track(tenant: string, contactId: string, owner: ContactOwner): void;
  /** The status to show for a contact's stored view; marks it delivered. */
  statusOfView(
    tenant: string,
    contactId: string,
    owner: ContactOwner & { kind: "help" },
    view: ContactView | undefined,
  ): Promise<KioskStatusUpdate | StatusInit>;
  /** Sends the stored view to the device unless a newer event was already sent. */
  catchUp(
    tenant: string,
    contactId: string,
    owner: ContactOwner & { kind: "help" },
    view: ContactView | undefined,
  ): Promise<void>;
  markCallbackAccepted(contactId: string): void;
  onPosition(update: PositionUpdate): Promise<void>;
  close(): void;
}

const NAME_TTL_MS = 300_000;

export async function startKioskHub(options: {
  bus: Bus;
  store: Store;
  logger: Logger;
  settings: KioskSettings;
  metrics: KioskMetrics;
  stateOf: (tenant: string) => KioskState;
}): Promise<KioskHub> {
  const { bus, store, logger, settings, metrics, stateOf } = options;
  const sessions = new Map<string, KioskSession>();
  const routes = new Map<string, Route>();
  /** Agent display names, re-read after NAME_TTL_MS so a renamed agent shows up. */
  const names = new Map<string, { name: string; atMs: number }>();
  const thresholdMs = settings.callbackThresholdSeconds * 1000;

  const displayName = async (tenant: string, agentId: string): Promise<string> => {
    if (agentId === "") return "";
    const cacheKey = `${tenant}\u0000${agentId}`;
    const cached = names.get(cacheKey);
    if (cached !== undefined && performance.now() - cached.atMs < NAME_TTL_MS) return cached.name;
    let name = agentId;
    try {
      const item = await store.forTenant(tenant).config.get("agent", agentId);
      if (item !== undefined) name = decodeAgent(item.data).displayName || agentId;
    } catch (err) {
      logger.warn({ err, agentId }, "could not read the agent's display name");
      return agentId;
    }
    if (names.size >= 10_000) names.clear();
    names.set(cacheKey, { name, atMs: performance.now() });
    return name;
  };

  const routeOf = async (tenant: string, contactId: string): Promise<Route | undefined> => {
    const known = routes.get(contactId);
    if (known !== undefined) return known;
    const owner = await stateOf(tenant).owner(contactId);
    if (owner === undefined) return undefined;
    // Another await may have created it meanwhile.
    return routes.get(contactId) ?? newRoute(tenant, contactId, owner);
  };

  const newRoute = (tenant: string, contactId: string, owner: ContactOwner): Route => {
    const route: Route = {
      tenant,
      contactId,
      owner,
      lastSequence: 0,
      answered: false,
      callbackOffered: false,
      callbackAccepted: false,
      status: KioskStatus.QUEUED,
    };
    routes.set(contactId, route);
    return route;
  };

  /** The device-facing status for an event; undefined for events the screen does not show. */
  const statusOf = async (
    route: Route,
    event: ContactEvent | undefined,
  ): Promise<StatusInit | undefined> => {
    const base = {
      requestId: route.owner.kind === "help" ? route.owner.requestId : "",
      contactId: route.contactId,
    };
    const type = event?.type ?? ContactEventType.CREATED;
    switch (type) {
      case ContactEventType.CREATED:
      case ContactEventType.REJECTED:
      case ContactEventType.OFFER_TIMED_OUT:
      case ContactEventType.TRANSFERRED:
        return route.callbackAccepted
          ? { ...base, status: KioskStatus.CALLBACK_SCHEDULED }
          : { ...base, status: KioskStatus.QUEUED };
      case ContactEventType.QUEUED:
        return queuedStatus(
          route,
          base,
          event?.position ?? 0,
          event?.expectedWait && durationMs(event.expectedWait),
        );
      case ContactEventType.ACCEPTED:
      case ContactEventType.CONNECTED:
      case ContactEventType.WRAP_UP:
        return {
          ...base,
          status:
            type === ContactEventType.ACCEPTED ? KioskStatus.AGENT_COMING : KioskStatus.CONNECTED,
          agentDisplayName: await displayName(route.tenant, event?.agentId ?? ""),
        };
      case ContactEventType.CALLBACK_SCHEDULED:
        route.callbackAccepted = true;
        return { ...base, status: KioskStatus.CALLBACK_SCHEDULED };
      case ContactEventType.COMPLETED:
      case ContactEventType.ABANDONED:
      case ContactEventType.CANCELLED:
        return { ...base, status: KioskStatus.ENDED, reason: ContactEventType[type].toLowerCase() };
      default:
        return undefined;
    }
  };

  const queuedStatus = (
    route: Route,
    base: { requestId: string; contactId: string },
    position: number,
    expectedWaitMs: number | undefined,
  ): StatusInit => {
    if (route.callbackAccepted) return { ...base, status: KioskStatus.CALLBACK_SCHEDULED };
    const offer =
      route.owner.kind === "help" && expectedWaitMs !== undefined && expectedWaitMs > thresholdMs;
    if (offer && !route.callbackOffered) {
      route.callbackOffered = true;
      metrics.callbacks.inc({ outcome: "offered" });
    }
    return {
      ...base,
      status: offer ? KioskStatus.CALLBACK_OFFERED : KioskStatus.QUEUED,
      position,
      ...(expectedWaitMs !== undefined && { expectedWait: durationFromMs(expectedWaitMs) }),
    };
  };

  const sendStatus = (route: Route, status: StatusInit) => {
    const session = sessions.get(route.owner.deviceId);
    if (session === undefined) return;
    route.status = status.status ?? KioskStatus.UNSPECIFIED;
    route.answered = true;
    session.send({ message: { case: "statusUpdate", value: status } });
  };

  /** A help request ended and the device heard it: ask for CSAT, forget the request. */
  const ended = async (route: Route, type: ContactEventType) => {
    if (route.owner.kind !== "help") return;
    const session = sessions.get(route.owner.deviceId);
    if (session === undefined) return;
    if (type === ContactEventType.COMPLETED) {
      session.send({
        message: {
          case: "csatQuestion",
          value: {
            requestId: route.owner.requestId,
            contactId: route.contactId,
            question: settings.csatQuestion,
            minScore: 1,
            maxScore: 5,
          },
        },
      });
    }
    await stateOf(route.tenant).closeHelp(route.owner.deviceId, route.owner.requestId);
  };

  const onFaultEvent = async (route: Route, event: ContactEvent) => {
    if (route.owner.kind !== "fault") return;
    const { deviceId, fault, key } = route.owner;
    const session = sessions.get(deviceId);
    const code = KioskFaultCode[
      fault.toUpperCase() as keyof typeof KioskFaultCode
    ] as KioskFaultCode;
    if (TERMINAL_EVENTS.has(event.type)) {
      routes.delete(route.contactId);
      // Already released (the device cleared it, or another process saw the end first).
      if (!(await stateOf(route.tenant).releaseFault(deviceId, fault, key))) return;
      session?.send({
        message: {
          case: "faultUpdate",
          value: { code, contactId: route.contactId, state: KioskFaultState.RESOLVED },
        },
      });
    } else if (event.type === ContactEventType.ACCEPTED && session !== undefined) {
      session.send({
        message: {
          case: "faultUpdate",
          value: {
            code,
            contactId: route.contactId,
            state: KioskFaultState.ASSIGNED,
            agentDisplayName: await displayName(route.tenant, event.agentId),
          },
        },
      });
    }
  };

  const onEvent = async (event: ContactEvent) => {
    const terminal = TERMINAL_EVENTS.has(event.type);
    // Faults are released wherever the end is seen; anything else only matters to the
    // process holding the device, so skip the store lookup when no device is connected here.
    if (!routes.has(event.contactId) && !terminal && sessions.size === 0) return;
    const route = await routeOf(event.tenant, event.contactId);
    if (route === undefined) return;
    if (route.owner.kind === "fault") return onFaultEvent(route, event);
    if (terminal) routes.delete(route.contactId);
    // Only the process holding the device speaks to it; a returning device gets the stored
    // state in its welcome.
    if (!sessions.has(route.owner.deviceId) || event.sequence <= route.lastSequence) return;
    const status = await statusOf(route, event);
    // Events are handled concurrently: a newer one may have been sent while this one waited.
    if (status === undefined || event.sequence <= route.lastSequence) return;
    route.lastSequence = Number(event.sequence);
    sendStatus(route, status);
    if (terminal) await ended(route, event.type);
  };

  const subscription: Subscription = await bus.subscribe(
    `${bus.subjects.root}.contact.*.kiosk.event`,
    async (notification) => {
      try {
        await onEvent(decodeContactEvent(notification.data));
      } catch (err) {
        logger.warn({ err }, "kiosk: could not deliver a contact event");
      }
    },
  );

  return {
    sessions,
    attach(session) {
      const previous = sessions.get(session.device.id);
      sessions.set(session.device.id, session);
      previous?.replaced.abort();
    },
    detach(session) {
      if (sessions.get(session.device.id) === session) sessions.delete(session.device.id);
    },
    track(tenant, contactId, owner) {
      if (!routes.has(contactId)) newRoute(tenant, contactId, owner);
    },
    async statusOfView(tenant, contactId, owner, view) {
      const route = routes.get(contactId) ?? newRoute(tenant, contactId, owner);
      const status = (await statusOf(route, view?.lastEvent)) ?? {
        requestId: owner.requestId,
        contactId,
        status: route.status,
      };
      route.lastSequence = Math.max(route.lastSequence, view?.sequence ?? 0);
      route.answered = true;
      route.status = status.status ?? KioskStatus.UNSPECIFIED;
      if (status.status === KioskStatus.ENDED) routes.delete(contactId);
      return status;
    },
    async catchUp(tenant, contactId, owner, view) {
      const route = routes.get(contactId) ?? newRoute(tenant, contactId, owner);
      const sequence = view?.sequence ?? 0;
      if (route.answered && sequence <= route.lastSequence) return;
      const status = await statusOf(route, view?.lastEvent);
      if (status === undefined) return;
      route.lastSequence = Math.max(route.lastSequence, sequence);
      sendStatus(route, status);
      const type = view?.lastEvent?.type;
      if (type !== undefined && TERMINAL_EVENTS.has(type)) {
        routes.delete(contactId);
        await ended(route, type);
      }
    },
    markCallbackAccepted(contactId) {
      const route = routes.get(contactId);
      if (route !== undefined) route.callbackAccepted = true;
    },
    async onPosition(update) {
      const route = routes.get(update.contactId);
      if (route === undefined || route.owner.kind !== "help") return;
      if (route.status !== KioskStatus.QUEUED && route.status !== KioskStatus.CALLBACK_OFFERED)
        return;
      const base = { requestId: route.owner.requestId, contactId: route.contactId };
      sendStatus(route, queuedStatus(route, base, update.position, update.expectedWaitMs));
    },
    close() {
      subscription.unsubscribe();
      routes.clear();
    },
  };
}
