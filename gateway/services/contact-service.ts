import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  checkContactId,
  checkReason,
  ErrorCode,
  requireRecord,
  SwitchboardError,
  TERMINAL_EVENTS,
} from "../../core/index.js";
import {
  type ContactEvent,
  ContactEventSchema,
  ContactEventType,
  type ContactService,
  GetContactResponseSchema,
} from "../../proto/index.js";
import { requirePrincipal } from "../auth/index.js";
import type { ServiceImpl } from "../grpc/adapter.js";
import type { ContactEventHub } from "./contact-event-hub.js";
import { watchContact } from "./contact-watch.js";
import type { ServiceContext } from "./service-context.js";

export interface ContactServiceOptions {
  /** How long CancelContact waits for the router's CANCELLED event before answering. */
  readonly cancelWaitMs: number;
}

/** Same request id for every API cancel of a contact: retried cancels dedupe on the bus. */
const API_CANCEL_REQUEST_ID = "api-cancel";

export function createContactService(
  ctx: ServiceContext,
  hub: ContactEventHub,
  options: ContactServiceOptions,
): ServiceImpl<typeof ContactService> {
  const logger = ctx.logger.child({ component: "contact-service" });
  return {
    async submitContact(call) {
      const { tenant } = requirePrincipal(call);
      // Validated once, in the intake (a missing contact included).
      const result = await ctx.intake.submit(tenant, call.request.contact);
      logger.debug({ contactId: result.contact.id, tenant, duplicate: result.duplicate }, "submit");
      return result;
    },

    async getContact(call) {
      const { tenant } = requirePrincipal(call);
      checkContactId(call.request.contactId);
      const { record } = await requireRecord(ctx.store.forTenant(tenant), call.request.contactId);
      return create(GetContactResponseSchema, {
        ...(record.contact && { contact: record.contact }),
        ...(record.lastEvent && { lastEvent: record.lastEvent }),
      });
    },

    async cancelContact(call, signal) {
      const { tenant } = requirePrincipal(call);
      const { contactId } = call.request;
      const reason = call.request.reason === "" ? "cancelled_by_api" : call.request.reason;
      checkContactId(contactId);
      checkReason(reason);
      const { record } = await requireRecord(ctx.store.forTenant(tenant), contactId);
      const last = record.lastEvent;
      if (last?.type === ContactEventType.CANCELLED) return { event: last };
      if (last !== undefined && TERMINAL_EVENTS.has(last.type)) {
        throw new SwitchboardError(
          ErrorCode.FailedPrecondition,
          `contact ${contactId} already ended (${ContactEventType[last.type]})`,
        );
      }
      const contact = record.contact;
      if (contact === undefined)
        throw new SwitchboardError(ErrorCode.Internal, "record without contact");
      const ended = waitForTerminal(hub, tenant, contactId, options.cancelWaitMs, signal);
      await ctx.intake
        .cancel(tenant, contactId, { reason, requestId: API_CANCEL_REQUEST_ID, contact })
        .catch((error: unknown) => {
          ended.cancel();
          throw error;
        });
      const event = await ended.promise;
      if (event === undefined) {
        // The cancel is durable and will be applied; the router just has not answered yet.
        return {
          event: create(ContactEventSchema, {
            type: ContactEventType.CANCELLED,
            contactId,
            tenant,
            channel: contact.channel,
            reason,
            time: timestampFromMs(ctx.clock.nowMs()),
          }),
        };
      }
      if (event.type !== ContactEventType.CANCELLED) {
        throw new SwitchboardError(
          ErrorCode.FailedPrecondition,
          `contact ${contactId} ended (${ContactEventType[event.type]}) before the cancel`,
        );
      }
      return { event };
    },

    watchContact: (call, signal) => watchContact(ctx, hub, call, signal),
  };
}

/** The contact's next terminal event, or undefined after `timeoutMs` or when `signal` aborts. */
function waitForTerminal(
  hub: ContactEventHub,
  tenant: string,
  contactId: string,
  timeoutMs: number,
  signal: AbortSignal,
): { promise: Promise<ContactEvent | undefined>; cancel(): void } {
  let finish: (event: ContactEvent | undefined) => void = () => {};
  const promise = new Promise<ContactEvent | undefined>((resolve) => {
    finish = resolve;
  });
  const unwatch = hub.watch(tenant, contactId, (event) => {
    if (TERMINAL_EVENTS.has(event.type)) done(event);
  });
  const onAbort = () => done(undefined);
  const timer = setTimeout(onAbort, timeoutMs);
  signal.addEventListener("abort", onAbort, { once: true });
  function done(event: ContactEvent | undefined): void {
    clearTimeout(timer);
    signal.removeEventListener("abort", onAbort);
    unwatch();
    finish(event);
  }
  return { promise, cancel: () => done(undefined) };
}
