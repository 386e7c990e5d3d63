import { create } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { encodeQueuePositions, positionSubject } from "../../core/index.js";
import {
  type QueuePosition,
  QueuePositionSchema,
  QueuePositionsSchema,
} from "../../proto/index.js";
import type { PartitionContext } from "./partition-context.js";

/** Expected waits are announced to the nearest 5 s: finer changes would only be noise. */
const WAIT_GRAIN_MS = 5000;
/** One fan-out message carries at most this many positions. */
const BATCH = 500;
/** Every this many calls, every waiting contact is announced, changed or not (late joiners). */
const REFRESH_EVERY = 10;

/**
 * Live queue positions for adapters (web chat, voice hold loop, kiosk screens): every call
 * compares each waiting contact's position and expected wait with what was last announced and
 * publishes the changes as QueuePositions on `<root>.position.<tenant>` (fan-out, not
 * stored; a subscriber that missed one gets the next change, and the contact record holds
 * the last QUEUED position). Every REFRESH_EVERY-th call announces every waiting contact, so
 * a watcher that joined late learns its position within that many intervals. Reads the
 * engine between commands, never inside one.
 * Cost: O(W · (log W + W/B)) per call for W live contacts (one rank lookup each).
 */
export function createPositionFeed(ctx: PartitionContext): { publish(): void } {
  const announced = new Map<string, string>();
  let calls = 0;
  return {
    publish() {
      calls += 1;
      const refresh = calls % REFRESH_EVERY === 0;
      const changed: QueuePosition[] = [];
      const live = new Set<string>();
      for (const [contactId, entry] of ctx.state.contacts) {
        const view = ctx.state.engine.getContact(contactId);
        if (view?.state !== "WAITING" || view.position === null) continue;
        live.add(contactId);
        const waitMs =
          view.expectedWaitMs === null
            ? undefined
            : Math.round(view.expectedWaitMs / WAIT_GRAIN_MS) * WAIT_GRAIN_MS;
        const key = `${view.queueId}|${view.position}|${waitMs ?? ""}`;
        if (!refresh && announced.get(contactId) === key) continue;
        announced.set(contactId, key);
        changed.push(
          create(QueuePositionSchema, {
            contactId,
            channel: entry.contact.channel,
            queueId: view.queueId,
            position: view.position,
            ...(waitMs === undefined ? {} : { expectedWait: durationFromMs(waitMs) }),
          }),
        );
      }
      for (const id of announced.keys()) if (!live.has(id)) announced.delete(id);
      const time = timestampFromMs(ctx.nowMs());
      for (let i = 0; i < changed.length; i += BATCH) {
        const message = create(QueuePositionsSchema, {
          tenant: ctx.tenant,
          time,
          positions: changed.slice(i, i + BATCH),
        });
        ctx.bus.notify(
          positionSubject(ctx.bus.subjects, ctx.tenant),
          encodeQueuePositions(message),
        );
      }
    },
  };
}
