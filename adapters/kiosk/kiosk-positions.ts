import { type Bus, type Logger, type Subscription, subscribePositions } from "../../core/index.js";
import { Channel } from "../../proto/index.js";
import type { KioskHub } from "./kiosk-hub.js";

/**
 * The router's live queue positions (fan-out every few seconds) → the waiting kiosks this
 * process holds: position and expected wait on the screen, or a callback offer once the
 * expected wait passes --callback-threshold-seconds.
 */
export function subscribeQueuePositions(
  bus: Bus,
  hub: KioskHub,
  logger: Logger,
): Promise<Subscription> {
  return subscribePositions(bus, (update) => {
    if (update.channel !== Channel.KIOSK || hub.sessions.size === 0) return;
    hub
      .onPosition({
        tenant: update.tenant,
        contactId: update.contactId,
        position: update.position,
        expectedWaitMs: update.expectedWaitMs,
      })
      .catch((err: unknown) => logger.warn({ err }, "kiosk: could not deliver a queue position"));
  });
}
