import {
  type Bus,
  decodeContactEvent,
  type Logger,
  type PositionUpdate,
  pipelineFilters,
  type Subscription,
  subscribePositions,
  tenantOfSubject,
} from "../../core/index.js";
import type { ContactEvent } from "../../proto/index.js";

export type ContactEventListener = (event: ContactEvent) => void;
export type PositionListener = (update: PositionUpdate) => void;

/**
 * One subscription on every contact event for the whole process, fanned out to the local
 * watchers of each contact: a thousand WatchContact streams cost one NATS subscription, not a
 * thousand consumers. Events of contacts nobody here watches are dropped before decoding.
 */
export interface ContactEventHub {
  /** Registers `listener` for one contact's events; returns the unregister function. */
  watch(tenant: string, contactId: string, listener: ContactEventListener): () => void;
  /** Registers `listener` for one waiting contact's live position updates. */
  watchPositions(tenant: string, contactId: string, listener: PositionListener): () => void;
  close(): void;
}

export async function startContactEventHub(bus: Bus, logger: Logger): Promise<ContactEventHub> {
  const log = logger.child({ component: "contact-event-hub" });
  const watchers = new Map<string, Set<ContactEventListener>>();
  const watchedTenants = new Map<string, number>();
  const keyOf = (tenant: string, contactId: string) => `${tenant}\u0000${contactId}`;

  const subscription: Subscription = await bus.subscribe(
    pipelineFilters.contactEvents(bus.subjects),
    (notification) => {
      const tenant = tenantOfSubject(notification.subject);
      if (!watchedTenants.has(tenant)) return;
      let event: ContactEvent;
      try {
        event = decodeContactEvent(notification.data);
      } catch (err) {
        log.warn({ err, subject: notification.subject }, "undecodable contact event ignored");
        return;
      }
      // The subject names the tenant; the payload's own tenant field is not trusted for routing.
      const listeners = watchers.get(keyOf(tenant, event.contactId));
      for (const listener of listeners ?? []) {
        try {
          listener(event);
        } catch (err) {
          log.error({ err, contactId: event.contactId }, "contact watcher failed");
        }
      }
    },
  );

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
    watch(tenant, contactId, listener) {
      const key = keyOf(tenant, contactId);
      let set = watchers.get(key);
      if (set === undefined) {
        set = new Set();
        watchers.set(key, set);
      }
      set.add(listener);
      watchedTenants.set(tenant, (watchedTenants.get(tenant) ?? 0) + 1);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        set.delete(listener);
        if (set.size === 0) watchers.delete(key);
        const left = (watchedTenants.get(tenant) ?? 1) - 1;
        if (left === 0) watchedTenants.delete(tenant);
        else watchedTenants.set(tenant, left);
      };
    },
    close() {
      subscription.unsubscribe();
      positions.unsubscribe();
      positionWatchers.clear();
      watchers.clear();
      watchedTenants.clear();
    },
  };
}
