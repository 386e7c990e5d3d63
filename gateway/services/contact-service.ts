import { clone, create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  contactCommandSubject,
  ErrorCode,
  encodeContactCommand,
  invalidArgument,
  msgIds,
  SwitchboardError,
  type TenantStore,
} from "../../core/index.js";
import {
  type Contact,
  ContactCommandSchema,
  type ContactEvent,
  ContactEventSchema,
  ContactEventType,
  ContactSchema,
  type ContactService,
  GetContactResponseSchema,
} from "../../proto/index.js";
import { requirePrincipal } from "../auth/index.js";
import type { ServiceImpl } from "../grpc/adapter.js";
import type { ContactEventHub } from "./contact-event-hub.js";
import {
  checkContactId,
  provisionalRecord,
  readRecord,
  requireRecord,
  TERMINAL_EVENTS,
  writeProvisionalRecord,
} from "./contact-records.js";
import { validateSubmittedContact } from "./contact-validation.js";
import { watchContact } from "./contact-watch.js";
import type { ServiceContext } from "./service-context.js";

export interface ContactServiceOptions {
  /** How long an idempotency key keeps returning its first contact. */
  readonly idempotencyTtlMs: number;
  /** How long CancelContact waits for the router's CANCELLED event before answering. */
  readonly cancelWaitMs: number;
}

/** Same request id for every API cancel of a contact: retried cancels dedupe on the bus. */
const API_CANCEL_REQUEST_ID = "api-cancel";
const REASON = /^[a-z0-9_]{1,64}$/;

export function createContactService(
  ctx: ServiceContext,
  hub: ContactEventHub,
  options: ContactServiceOptions,
): ServiceImpl<typeof ContactService> {
  const logger = ctx.logger.child({ component: "contact-service" });

  const publishSubmit = async (contact: Contact): Promise<void> => {
    const command = create(ContactCommandSchema, {
      requestId: ctx.ids.next(),
      time: ctx.commandTime(),
      command: { case: "submit", value: contact },
    });
    await ctx.bus.publish(
      contactCommandSubject(ctx.bus.subjects, contact.tenant, contact.channel),
      encodeContactCommand(command),
      { msgId: msgIds.submit(contact.tenant, contact.idempotencyKey) },
    );
  };

  // Record first, then publish: the router's records (sequence ≥ 1) can only come after.
  const accept = async (store: TenantStore, contact: Contact): Promise<void> => {
    const record = provisionalRecord(contact, ctx.ids.next(), ctx.clock.nowMs());
    await writeProvisionalRecord(store, record);
    await publishSubmit(contact);
    logger.debug({ contactId: contact.id, tenant: contact.tenant }, "contact submitted");
  };

  return {
    async submitContact(call) {
      const { tenant } = requirePrincipal(call);
      const input = call.request.contact;
      const violations = validateSubmittedContact(input, tenant);
      if (input === undefined || violations.length > 0) throw invalidArgument(violations);
      const store = ctx.store.forTenant(tenant);
      const contact = clone(ContactSchema, input);
      contact.id = ctx.ids.next();
      contact.tenant = tenant;
      contact.createTime ??= timestampFromMs(ctx.clock.nowMs());
      // Router-owned: a submitter may pick the queue but not when it entered it.
      delete contact.enqueueTime;
      const claim = await store.contacts.claimIdempotencyKey(
        contact.idempotencyKey,
        contact.id,
        options.idempotencyTtlMs,
      );
      if (claim.created) {
        await accept(store, contact);
        return { contact, duplicate: false };
      }
      const first = await readRecord(store, claim.contactId);
      if (first?.record.contact !== undefined) {
        // The first attempt may have failed after its record and before its publish; publishing
        // again is safe (same msgId) and needed only while the router has not seen it yet.
        if (first.sequence === 0) await publishSubmit(first.record.contact);
        return { contact: first.record.contact, duplicate: true };
      }
      // The first attempt claimed the key and died before its record: finish it under its id.
      contact.id = claim.contactId;
      await accept(store, contact);
      return { contact, duplicate: true };
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
      if (!REASON.test(reason)) {
        throw invalidArgument([{ field: "reason", description: "1–64 of [a-z0-9_]" }]);
      }
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
      const command = create(ContactCommandSchema, {
        requestId: API_CANCEL_REQUEST_ID,
        time: ctx.commandTime(),
        command: { case: "cancel", value: { contactId, reason } },
      });
      await ctx.bus
        .publish(
          contactCommandSubject(ctx.bus.subjects, tenant, contact.channel),
          encodeContactCommand(command),
          { msgId: msgIds.cancel(tenant, contactId, API_CANCEL_REQUEST_ID) },
        )
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
