import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { checkContactId, requireRecord, TERMINAL_EVENTS } from "../../core/index.js";
import {
  type ContactEvent,
  ContactEventType,
  type ContactService,
  QueuePositionSchema,
} from "../../proto/index.js";
import { requirePrincipal } from "../auth/index.js";
import type { ServiceImpl } from "../grpc/adapter.js";
import type { ContactEventHub } from "./contact-event-hub.js";
import type { ServiceContext } from "./service-context.js";

/**
 * WatchContact: the contact's current state (its record's last event), then live events in
 * sequence order, ending after a terminal event. Listening starts before the record is read,
 * so nothing published in between is missed; events at or below the last sequence sent are
 * skipped, so nothing is sent twice. While the contact waits, the router's live position
 * updates are sent between events (`position`), never after the contact left the queue.
 */
export async function watchContact(
  ctx: ServiceContext,
  hub: ContactEventHub,
  call: Parameters<ServiceImpl<typeof ContactService>["watchContact"]>[0],
  signal: AbortSignal,
): Promise<void> {
  const { tenant } = requirePrincipal(call);
  const { contactId } = call.request;
  checkContactId(contactId);
  const stop = AbortSignal.any([signal, ctx.shutdown]);
  const pending: ContactEvent[] = [];
  let wake: (() => void) | undefined;
  const unwatch = await hub.watch(tenant, contactId, (event) => {
    pending.push(event);
    wake?.();
  });
  let waiting = false;
  const unwatchPositions = hub.watchPositions(tenant, contactId, (update) => {
    if (!waiting || call.writableEnded || call.destroyed) return;
    call.write({
      position: create(QueuePositionSchema, {
        contactId,
        channel: update.channel,
        queueId: update.queueId,
        position: update.position,
        ...(update.expectedWaitMs === undefined
          ? {}
          : { expectedWait: durationFromMs(update.expectedWaitMs) }),
      }),
    });
  });
  try {
    const { record } = await requireRecord(ctx.store.forTenant(tenant), contactId);
    let lastSent = call.request.afterSequence;
    /** Sends `event` if it is new; true when the stream is over. */
    const send = (event: ContactEvent): boolean => {
      if (event.sequence <= lastSent) return false;
      lastSent = event.sequence;
      waiting = WAITING_EVENTS.has(event.type);
      call.write({ event });
      return TERMINAL_EVENTS.has(event.type);
    };
    if (record.lastEvent !== undefined && send(record.lastEvent)) return;
    if (record.lastEvent !== undefined && TERMINAL_EVENTS.has(record.lastEvent.type)) return;
    while (!stop.aborted) {
      const event = pending.shift();
      if (event === undefined) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          stop.addEventListener("abort", () => resolve(), { once: true });
        });
        wake = undefined;
      } else if (send(event)) {
        return;
      }
    }
  } finally {
    unwatch();
    unwatchPositions();
  }
}

/** After these events the contact is in a queue (again), waiting for an agent. */
const WAITING_EVENTS: ReadonlySet<ContactEventType> = new Set([
  ContactEventType.CREATED,
  ContactEventType.QUEUED,
  ContactEventType.REJECTED,
  ContactEventType.OFFER_TIMED_OUT,
  ContactEventType.CALLBACK_SCHEDULED,
]);
