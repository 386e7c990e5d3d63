import {
  type Bus,
  decodeContactEvent,
  ErrorCode,
  type Logger,
  type PositionUpdate,
  pipelineFilters,
  type Subscription,
  SwitchboardError,
  subscribePositions,
} from "../../core/index.js";
import type { ContactEvent } from "../../proto/index.js";

export type ContactEventListener = (event: ContactEvent) => void;
export type PositionListener = (update: PositionUpdate) => void;

/**
 * One subscription per watched tenant for the whole process, fanned out to the local watchers
 * of each contact: a thousand WatchContact streams cost one NATS subscription, not a thousand
 * consumers. A tenant nobody here watches has no subscription, so its events (several per
 * contact) never reach this process; events of unwatched contacts of a watched tenant are
 * dropped after decoding.
 */
export interface ContactEventHub {
  /**
   * Registers `listener` for one contact's events; resolves, once every event published from
   * then on will reach it, to the unregister function.
   */
  watch(tenant: string, contactId: string, listener: ContactEventListener): Promise<() => void>;
  /** Registers `listener` for one waiting contact's live position updates. */
  watchPositions(tenant: string, contactId: string, listener: PositionListener): () => void;
  close(): void;
}

/** A tenant's contact-event subscription, held while any of its contacts is watched here. */
interface TenantFeed {
  watchers: number;
  /** Resolves once the subscription is live; rejects when subscribing failed. */
  readonly live: Promise<Subscription>;
}

export async function startContactEventHub(
  bus: Bus,
  logger: Logger,
  /**
   * The contact's latest stored event (its record's), read for every watched contact once the
   * bus is back after a lost connection: events published meanwhile never reached this
   * process, and watchers skip what they already sent, so they catch up to the latest state.
   */
  latest: (tenant: string, contactId: string) => Promise<ContactEvent | undefined> = async () =>
    undefined,
): Promise<ContactEventHub> {
  const log = logger.child({ component: "contact-event-hub" });
  const watchers = new Map<string, Set<ContactEventListener>>();
  const feeds = new Map<string, TenantFeed>();
  const keyOf = (tenant: string, contactId: string) => `${tenant}\u0000${contactId}`;
  let closed = false;

  const deliver = (tenant: string, data: Uint8Array, subject: string) => {
    let event: ContactEvent;
    try {
      event = decodeContactEvent(data);
    } catch (err) {
      log.warn({ err, subject }, "undecodable contact event ignored");
      return;
    }
    // The subject names the tenant; the payload's own tenant field is not trusted for routing.
    notify(keyOf(tenant, event.contactId), event);
  };
  const notify = (key: string, event: ContactEvent) => {
    for (const listener of watchers.get(key) ?? []) {
      try {
        listener(event);
      } catch (err) {
        log.error({ err, contactId: event.contactId }, "contact watcher failed");
      }
    }
  };
  const catchUp = async () => {
    for (const key of [...watchers.keys()]) {
      const [tenant = "", contactId = ""] = key.split("\u0000");
      try {
        const event = await latest(tenant, contactId);
        if (event !== undefined) notify(key, event);
      } catch (err) {
        log.warn({ err, contactId }, "could not catch a watcher up after a reconnect");
      }
    }
  };
  const stopCatchUp = bus.onReconnect(() => void catchUp());

  // Subscribed per tenant while watched: events nobody here watches never reach this process.
  const feedOf = (tenant: string): TenantFeed => {
    let feed = feeds.get(tenant);
    if (feed === undefined) {
      const live = bus
        .subscribe(pipelineFilters.contactEvents(bus.subjects, tenant), (notification) =>
          deliver(tenant, notification.data, notification.subject),
        )
        .catch((err: unknown) => {
          if (feeds.get(tenant) === feed) feeds.delete(tenant);
          throw err;
        });
      feed = { watchers: 0, live };
      feeds.set(tenant, feed);
    }
    return feed;
  };
  const release = (tenant: string, feed: TenantFeed) => {
    feed.watchers--;
    if (feed.watchers > 0 || feeds.get(tenant) !== feed) return;
    feeds.delete(tenant);
    void feed.live.then(
      (subscription) => subscription.unsubscribe(),
      () => {},
    );
  };

  const positionWatchers = new Map<string, Set<PositionListener>>();
  const positions: Subscription = await subscribePositions(bus, (update) => {
    for (const listener of positionWatchers.get(keyOf(update.tenant, update.contactId)) ?? []) {
      try {
        listener(update);
      } catch (err) {
        log.error({ err, contactId: update.contactId }, "position watcher failed");
      }
    }
  });

  return {
    watchPositions(tenant, contactId, listener) {
      const key = keyOf(tenant, contactId);
      const set = positionWatchers.get(key) ?? new Set();
      positionWatchers.set(key, set);
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && positionWatchers.get(key) === set) positionWatchers.delete(key);
      };
    },
    async watch(tenant, contactId, listener) {
      if (closed) throw new SwitchboardError(ErrorCode.Unavailable, "the gateway is shutting down");
      const key = keyOf(tenant, contactId);
      let set = watchers.get(key);
      if (set === undefined) {
        set = new Set();
        watchers.set(key, set);
      }
      set.add(listener);
      const feed = feedOf(tenant);
      feed.watchers++;
      let done = false;
      const unwatch = () => {
        if (done) return;
        done = true;
        set.delete(listener);
        if (set.size === 0 && watchers.get(key) === set) watchers.delete(key);
        release(tenant, feed);
      };
      try {
        await feed.live;
      } catch (error) {
        unwatch();
        throw error;
      }
      return unwatch;
    },
    close() {
      closed = true;
      stopCatchUp();
      for (const feed of feeds.values()) {
        void feed.live.then(
          (subscription) => subscription.unsubscribe(),
          () => {},
        );
      }
      feeds.clear();
      positions.unsubscribe();
      positionWatchers.clear();
      watchers.clear();
    },
  };
}
