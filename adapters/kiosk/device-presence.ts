import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { type Bus, type Clock, checkToken, type Logger } from "../../core/index.js";
import { KioskDeviceEventSchema, KioskDeviceStatus } from "../../proto/index.js";
import type { KioskDevice } from "./kiosk-config.js";
import type { KioskMetrics } from "./kiosk-metrics.js";

/**
 * Online/offline state of the kiosks whose streams this process holds. Every message from a
 * device counts as a heartbeat; nothing heard for `timeoutMs` → offline: the online gauge
 * drops, the offline counter grows, a warn log line and a KioskDeviceEvent go out on
 * `<root>.kiosk.<tenant>.<deviceId>` (fan-out, not stored). A message (on the same or a new
 * stream) brings the device back online with the same kind of event. A closed stream is not
 * offline by itself: a device reconnecting within the timeout never flaps.
 */
export interface DevicePresence {
  /** The device said something (hello, heartbeat, any request). */
  seen(device: KioskDevice, reason: "connected" | "heartbeat_resumed"): void;
  isOnline(deviceId: string): boolean;
  stop(): void;
}

interface Entry {
  readonly device: KioskDevice;
  online: boolean;
  lastSeenMs: number;
  timer: NodeJS.Timeout;
}

/** Fan-out subject of a device's ops events. */
export function kioskEventSubject(bus: Bus, tenant: string, deviceId: string): string {
  checkToken(tenant, "tenant");
  checkToken(deviceId, "kioskId");
  return `${bus.subjects.root}.kiosk.${tenant}.${deviceId}`;
}

export function createDevicePresence(options: {
  bus: Bus;
  clock: Clock;
  logger: Logger;
  metrics: KioskMetrics;
  timeoutMs: number;
}): DevicePresence {
  const { bus, clock, logger, metrics, timeoutMs } = options;
  const entries = new Map<string, Entry>();

  const announce = (entry: Entry, reason: string) => {
    const { device } = entry;
    const event = create(KioskDeviceEventSchema, {
      tenant: device.tenant,
      kioskId: device.id,
      site: device.site,
      location: device.location,
      type: device.type,
      status: entry.online ? KioskDeviceStatus.ONLINE : KioskDeviceStatus.OFFLINE,
      time: timestampFromMs(clock.nowMs()),
      lastSeenTime: timestampFromMs(entry.lastSeenMs),
      reason,
    });
    try {
      bus.notify(
        kioskEventSubject(bus, device.tenant, device.id),
        toBinary(KioskDeviceEventSchema, event),
      );
    } catch (err) {
      logger.warn({ err, kioskId: device.id }, "could not publish the kiosk ops event");
    }
  };

  const goOffline = (entry: Entry) => {
    if (!entry.online) return;
    entry.online = false;
    metrics.devicesOnline.dec();
    metrics.deviceOnline.set({ device: entry.device.id, site: entry.device.site }, 0);
    metrics.offlineTransitions.inc();
    logger.warn(
      {
        kioskId: entry.device.id,
        site: entry.device.site,
        silentMs: clock.nowMs() - entry.lastSeenMs,
      },
      "kiosk offline: no heartbeat within the timeout",
    );
    announce(entry, "heartbeat_timeout");
  };

  return {
    seen(device, reason) {
      let entry = entries.get(device.id);
      if (entry === undefined) {
        const timer = setTimeout(() => goOffline(entry!), timeoutMs);
        timer.unref();
        entry = { device, online: false, lastSeenMs: clock.nowMs(), timer };
        entries.set(device.id, entry);
      } else {
        entry.lastSeenMs = clock.nowMs();
        entry.timer.refresh();
      }
      if (entry.online) return;
      entry.online = true;
      metrics.devicesOnline.inc();
      metrics.deviceOnline.set({ device: device.id, site: device.site }, 1);
      logger.info({ kioskId: device.id, site: device.site, reason }, "kiosk online");
      announce(entry, reason);
    },
    isOnline: (deviceId) => entries.get(deviceId)?.online === true,
    stop() {
      for (const entry of entries.values()) clearTimeout(entry.timer);
      entries.clear();
    },
  };
}
