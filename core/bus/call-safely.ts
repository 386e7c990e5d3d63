import type { Logger } from "../log.js";
import type { Notification, NotificationHandler } from "./bus.js";

/** Runs a subscriber so that neither a throw nor a rejection reaches the bus or other subscribers. */
export function callSafely(handler: NotificationHandler, n: Notification, logger: Logger): void {
  try {
    const result = handler(n);
    if (result instanceof Promise) {
      void result.catch((err: unknown) =>
        logger.error({ err, subject: n.subject }, "subscriber failed"),
      );
    }
  } catch (err) {
    logger.error({ err, subject: n.subject }, "subscriber failed");
  }
}
