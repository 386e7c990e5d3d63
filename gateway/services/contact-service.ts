import { create } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
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
  SubmitContactResponseSchema,
} from "../../proto/index.js";
import { requirePrincipal } from "../auth/index.js";
import { EncodedMessage, type ServiceImpl } from "../grpc/adapter.js";
import type { ContactEventHub } from "./contact-event-hub.js";
import { watchContact } from "./contact-watch.js";
import type { ServiceContext } from "./service-context.js";

export interface ContactServiceOptions {
  /** How long CancelContact waits for the router's CANCELLED event before answering. */
  readonly cancelWaitMs: number;
}

const RESPONSE_CONTACT = SubmitContactResponseSchema.field.contact.number;
const RESPONSE_DUPLICATE = SubmitContactResponseSchema.field.duplicate.number;

/** A SubmitContactResponse around a contact already in protobuf binary (as toBinary writes it). */
export function encodeSubmitResponse(contact: Uint8Array, duplicate: boolean): Uint8Array {
  const writer = new BinaryWriter().tag(RESPONSE_CONTACT, WireType.LengthDelimited).bytes(contact);
  if (duplicate) writer.tag(RESPONSE_DUPLICATE, WireType.Varint).bool(true);
  return writer.finish();
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
      const { encodedContact } = result;
      if (encodedContact === undefined) return result;
      // The contact as the intake encoded it for the bus: answered without encoding it again.
      return new EncodedMessage(
        SubmitContactResponseSchema,
        encodeSubmitResponse(encodedContact, result.duplicate),
      );
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
      const ended = await waitForTerminal(hub, tenant, contactId, options.cancelWaitMs, signal);
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

/**
 * Starts listening for the contact's next terminal event (resolves once listening is live):
 * `promise` gets it, or undefined after `timeoutMs` or when `signal` aborts.
 */
async function waitForTerminal(
  hub: ContactEventHub,
  tenant: string,
  contactId: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<{ promise: Promise<ContactEvent | undefined>; cancel(): void }> {
  let finish: (event: ContactEvent | undefined) => void = () => {};
  const promise = new Promise<ContactEvent | undefined>((resolve) => {
    finish = resolve;
  });
  let ended = false;
  let unwatch: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const onAbort = () => done(undefined);
  function done(event: ContactEvent | undefined): void {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    signal.removeEventListener("abort", onAbort);
    unwatch?.();
    finish(event);
  }
  // An event may arrive while watch() is still settling: done() then runs before unwatch is set.
  unwatch = await hub.watch(tenant, contactId, (event) => {
    if (TERMINAL_EVENTS.has(event.type)) done(event);
  });
  if (ended) {
    unwatch();
  } else {
    timer = setTimeout(onAbort, timeoutMs);
    signal.addEventListener("abort", onAbort, { once: true });
    if (signal.aborted) done(undefined);
  }
  return { promise, cancel: () => done(undefined) };
}
