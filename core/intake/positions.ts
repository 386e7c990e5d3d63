import { timestampMs } from "@bufbuild/protobuf/wkt";
import type { Channel } from "../../proto/index.js";
import type { Bus, Subscription } from "../bus/index.js";
import { decodeQueuePositions, pipelineFilters } from "../pipeline/index.js";

/** Where one waiting contact stands, as the router last computed it. */
export interface PositionUpdate {
  readonly tenant: string;
  readonly contactId: string;
  readonly channel: Channel;
  readonly queueId: string;
  /** 1 = next in its queue. */
  readonly position: number;
  /** Undefined when the router has no estimate yet (no handle times, no staffed agents). */
  readonly expectedWaitMs: number | undefined;
  readonly atMs: number;
}

/**
 * Live queue positions for adapters: the routers publish the waiting contacts whose position
 * or expected wait changed, every few seconds, as fan-out (router/service/position-feed.ts).
 * `handler` gets one call per contact. A missed update is followed by the next change; the
 * contact record (`intake.get`) keeps the position of its QUEUED event.
 */
export function subscribePositions(
  bus: Bus,
  handler: (update: PositionUpdate) => void,
): Promise<Subscription> {
  return bus.subscribe(pipelineFilters.positions(bus.subjects), (notification) => {
    const message = decodeQueuePositions(notification.data);
    const atMs = message.time === undefined ? Date.now() : timestampMs(message.time);
    for (const p of message.positions) {
      handler({
        tenant: message.tenant,
        contactId: p.contactId,
        channel: p.channel,
        queueId: p.queueId,
        position: p.position,
        expectedWaitMs:
          p.expectedWait === undefined
            ? undefined
            : Number(p.expectedWait.seconds) * 1000 + Math.round(p.expectedWait.nanos / 1e6),
        atMs,
      });
    }
  });
}
