import { create } from "@bufbuild/protobuf";
import { type Timestamp, timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import {
  type Contact,
  ContactCallbackSchema,
  ContactCancelSchema,
  type ContactCommand,
  ContactCommandSchema,
  type ContactEvent,
  ContactEventType,
} from "../../proto/index.js";
import type { Bus } from "../bus/index.js";
import type { Clock } from "../clock.js";
import { ErrorCode, invalidArgument, SwitchboardError } from "../errors.js";
import type { IdGenerator } from "../ids.js";
import {
  channelName,
  contactCommandSubject,
  encodeContactCommand,
  msgIds,
} from "../pipeline/index.js";
import type { CustomerIdentifier, Store } from "../store/index.js";
import { checkContactId, readRecord, TERMINAL_EVENTS } from "./contact-records.js";
import { validateSubmittedContact } from "./contact-validation.js";
import { E164 } from "./field-checks.js";
import { encodeContact, encodeProvisionalRecord, encodeSubmitCommand } from "./submit-encoding.js";

/**
 * The one way a contact enters Switchboard, shared by the gateway's ContactService and the
 * in-process channel adapters (DESIGN §1: "in-process adapters use the same publisher"):
 * validation with field violations, idempotency, the provisional record, and the durable
 * publish of the submit command. `submit` resolves only once the command is stored.
 */
export interface ContactIntake {
  /**
   * Validates (INVALID_ARGUMENT naming each bad field), assigns the id, claims the
   * idempotency key, writes the provisional record and publishes the submit command. A
   * retry with the same idempotency key returns the first contact with `duplicate: true`.
   * `tenant` wins over `contact.tenant`.
   */
  submit(tenant: string, contact: Contact | undefined): Promise<SubmitResult>;
  /**
   * Publishes the end of a contact: CANCELLED, or ABANDONED when `abandoned` (the customer
   * left: hung up, closed the chat). The same `requestId` is stored once. Resolves once
   * durable; the router applies it (a contact already ended is left as it is).
   */
  cancel(tenant: string, contactId: string, options: CancelOptions): Promise<void>;
  /**
   * The customer chose to be called back: the contact keeps its place in the queue, the
   * router publishes CALLBACK_SCHEDULED and offers it as usual. Resolves once durable.
   */
  scheduleCallback(tenant: string, contactId: string, options: CallbackOptions): Promise<void>;
  /** The stored view of a contact (the router's latest record), or undefined. */
  get(tenant: string, contactId: string): Promise<ContactView | undefined>;
  /**
   * Records the customer's satisfaction answer (1–5) for a finished contact in the
   * customer's history (where routing and KPIs read it). INVALID_ARGUMENT for a score out of
   * range; FAILED_PRECONDITION when the contact has not ended or has no customer identifiers.
   */
  recordCsat(tenant: string, contactId: string, score: number): Promise<void>;
}

export interface SubmitResult {
  readonly contact: Contact;
  readonly duplicate: boolean;
  /** `contact` as protobuf binary when the submit encoded it: an answer need not encode it again. */
  readonly encodedContact?: Uint8Array;
}

export interface CancelOptions {
  /** 1–64 of [a-z0-9_], e.g. "customer_hung_up". */
  readonly reason: string;
  readonly abandoned?: boolean;
  /** Dedupes retried cancels of the same thing. Default: one per contact and kind. */
  readonly requestId?: string;
  /** The contact as the caller just read it from its record: saves reading it again. */
  readonly contact?: Contact;
}

export interface CallbackOptions {
  /** Where to call back, E.164. */
  readonly phone: string;
  /** 1–64 of [a-z0-9_]. Default "callback_requested". */
  readonly reason?: string;
}

export interface ContactView {
  readonly contact: Contact;
  readonly lastEvent: ContactEvent | undefined;
  /** 0 while only the submitter's provisional record exists. */
  readonly sequence: number;
}

export interface ContactIntakeOptions {
  readonly bus: Bus;
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /**
   * Stamps the `time` of each command. In one process, one stamp source must serve every
   * publisher of commands (sub-millisecond, strictly increasing; the gateway's). Default:
   * the clock's milliseconds.
   */
  readonly commandTime?: () => Timestamp;
  /** How long an idempotency key returns its first contact. Default 86 400 000 (24 h). */
  readonly idempotencyTtlMs?: number;
}

const REASON = /^[a-z0-9_]{1,64}$/;

/** A cancel or callback reason: 1–64 of [a-z0-9_], INVALID_ARGUMENT on field "reason". */
export function checkReason(reason: string): void {
  if (!REASON.test(reason)) {
    throw invalidArgument([{ field: "reason", description: "1–64 of [a-z0-9_]" }]);
  }
}

export function createContactIntake(options: ContactIntakeOptions): ContactIntake {
  const { bus, store, clock, ids } = options;
  const commandTime = options.commandTime ?? (() => timestampFromMs(clock.nowMs()));
  const ttlMs = options.idempotencyTtlMs ?? 86_400_000;

  const publishSubmit = async (
    contact: Contact,
    contactBytes: Uint8Array = encodeContact(contact),
  ): Promise<void> => {
    await bus.publish(
      contactCommandSubject(bus.subjects, contact.tenant, contact.channel),
      encodeSubmitCommand(contactBytes, ids.next(), commandTime()),
      { msgId: msgIds.submit(contact.tenant, contact.idempotencyKey) },
    );
  };

  const requireContact = async (tenant: string, contactId: string): Promise<Contact> => {
    checkContactId(contactId);
    const contact = (await readRecord(store.forTenant(tenant), contactId))?.record.contact;
    if (contact === undefined) {
      throw new SwitchboardError(ErrorCode.NotFound, `contact ${contactId} not found`);
    }
    return contact;
  };

  // Cancels and callbacks: one msgId per contact and request id, so a retry is stored once.
  const publishCommand = async (
    contact: Contact,
    requestId: string,
    command: Extract<ContactCommand["command"], { case: "cancel" | "callback" }>,
  ): Promise<void> => {
    const message = create(ContactCommandSchema, { requestId, time: commandTime(), command });
    const msgId = msgIds[command.case](contact.tenant, contact.id, requestId);
    await bus.publish(
      contactCommandSubject(bus.subjects, contact.tenant, contact.channel),
      encodeContactCommand(message),
      { msgId },
    );
  };

  return {
    async submit(tenant, input) {
      const violations = validateSubmittedContact(input, tenant);
      if (input === undefined || violations.length > 0) throw invalidArgument(violations);
      const tenantStore = store.forTenant(tenant);
      // A shallow copy: only top-level fields change, and the caller's contact stays as it was.
      const contact: Contact = { ...input };
      contact.id = ids.next();
      contact.tenant = tenant;
      contact.createTime ??= timestampFromMs(clock.nowMs());
      // Router-owned: a submitter may pick the queue but not when it entered it.
      delete contact.enqueueTime;
      // Encoded once: the record, its CREATED event and the command all carry these bytes.
      const contactBytes = encodeContact(contact);
      // Record first (with the claim, one round trip), then publish: the router's records
      // (sequence ≥ 1) can only come after.
      const claim = await tenantStore.contacts.claimSubmit(
        contact.idempotencyKey,
        contact.id,
        ttlMs,
        encodeProvisionalRecord(contact, contactBytes, ids.next(), clock.nowMs()),
      );
      if (claim.created) {
        await publishSubmit(contact, contactBytes);
        return { contact, duplicate: false, encodedContact: contactBytes };
      }
      const first = await readRecord(tenantStore, claim.contactId);
      if (first?.record.contact !== undefined) {
        // The first attempt may have failed after its record and before its publish; publishing
        // again is safe (same msgId) and needed only while the router has not seen it yet.
        if (first.sequence === 0) await publishSubmit(first.record.contact);
        return { contact: first.record.contact, duplicate: true };
      }
      // The key was claimed without its record (claimIdempotencyKey alone, or the record
      // expired first): finish that attempt under its id.
      contact.id = claim.contactId;
      const retryBytes = encodeContact(contact);
      await tenantStore.contacts.putRecord(
        contact.id,
        encodeProvisionalRecord(contact, retryBytes, ids.next(), clock.nowMs()),
        0,
      );
      await publishSubmit(contact, retryBytes);
      return { contact, duplicate: true, encodedContact: retryBytes };
    },

    async cancel(tenant, contactId, cancel) {
      checkReason(cancel.reason);
      const contact = cancel.contact ?? (await requireContact(tenant, contactId));
      const abandoned = cancel.abandoned === true;
      const requestId = cancel.requestId ?? (abandoned ? "abandon" : "cancel");
      await publishCommand(contact, requestId, {
        case: "cancel",
        value: create(ContactCancelSchema, { contactId, reason: cancel.reason, abandoned }),
      });
    },

    async scheduleCallback(tenant, contactId, callback) {
      const reason = callback.reason ?? "callback_requested";
      checkReason(reason);
      if (!E164.test(callback.phone)) {
        throw invalidArgument([
          { field: "phone", description: "an E.164 number like +15551234567" },
        ]);
      }
      const contact = await requireContact(tenant, contactId);
      await publishCommand(contact, "callback", {
        case: "callback",
        value: create(ContactCallbackSchema, { contactId, phone: callback.phone, reason }),
      });
    },

    async recordCsat(tenant, contactId, score) {
      checkContactId(contactId);
      if (!Number.isInteger(score) || score < 1 || score > 5) {
        throw invalidArgument([{ field: "csat", description: "an integer from 1 to 5" }]);
      }
      const tenantStore = store.forTenant(tenant);
      const view = await readRecord(tenantStore, contactId);
      const contact = view?.record.contact;
      const last = view?.record.lastEvent;
      if (contact === undefined || last === undefined || !TERMINAL_EVENTS.has(last.type)) {
        throw new SwitchboardError(
          ErrorCode.FailedPrecondition,
          `contact ${contactId} has not ended; CSAT comes after completion`,
        );
      }
      const identifiers = customerIdentifiers(contact);
      if (identifiers.length === 0 && !contact.customer?.id) {
        throw new SwitchboardError(
          ErrorCode.FailedPrecondition,
          `contact ${contactId} has no customer to record CSAT for`,
        );
      }
      const customerId =
        identifiers.length > 0
          ? (await tenantStore.identity.resolve(identifiers)).customerId
          : (contact.customer?.id ?? "");
      const history = await tenantStore.history.getHistory(customerId);
      const entry = history.contacts.find((c) => c.contactId === contactId) ?? {
        contactId,
        channel: channelName(contact.channel),
        queueId: last.queueId || contact.queueId,
        agentId: last.agentId,
        outcome: ContactEventType[last.type].toLowerCase(),
        completedAtMs: last.time === undefined ? clock.nowMs() : timestampMs(last.time),
      };
      await tenantStore.history.recordCompletion(customerId, { ...entry, csat: score });
    },

    async get(tenant, contactId) {
      checkContactId(contactId);
      const view = await readRecord(store.forTenant(tenant), contactId);
      if (view?.record.contact === undefined) return undefined;
      return {
        contact: view.record.contact,
        lastEvent: view.record.lastEvent,
        sequence: view.sequence,
      };
    },
  };
}

/** The identifiers a contact carries, as the store's identity index knows them. */
export function customerIdentifiers(contact: Contact): CustomerIdentifier[] {
  const ids = contact.customer?.identifiers;
  if (ids === undefined) return [];
  const list: CustomerIdentifier[] = [];
  if (ids.phone) list.push({ kind: "phone", value: ids.phone });
  if (ids.email) list.push({ kind: "email", value: ids.email });
  if (ids.webSessionId) list.push({ kind: "webSession", value: ids.webSessionId });
  if (ids.kioskCardId) list.push({ kind: "kioskCard", value: ids.kioskCardId });
  if (ids.kioskAccountNumber) list.push({ kind: "kioskAccount", value: ids.kioskAccountNumber });
  return list;
}
