import { clone, create } from "@bufbuild/protobuf";
import { type Timestamp, timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  type Contact,
  ContactCommandSchema,
  type ContactEvent,
  ContactSchema,
} from "../../proto/index.js";
import type { Bus } from "../bus/index.js";
import type { Clock } from "../clock.js";
import { invalidArgument } from "../errors.js";
import type { IdGenerator } from "../ids.js";
import { contactCommandSubject, encodeContactCommand, msgIds } from "../pipeline/index.js";
import type { Store, TenantStore } from "../store/index.js";
import {
  checkContactId,
  provisionalRecord,
  readRecord,
  writeProvisionalRecord,
} from "./contact-records.js";
import { validateSubmittedContact } from "./contact-validation.js";

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
  submit(tenant: string, contact: Contact): Promise<{ contact: Contact; duplicate: boolean }>;
  /**
   * Publishes the end of a contact: CANCELLED, or ABANDONED when `abandoned` (the customer
   * left: hung up, closed the chat). The same `requestId` is stored once. Resolves once
   * durable; the router applies it (a contact already ended is left as it is).
   */
  cancel(tenant: string, contactId: string, options: CancelOptions): Promise<void>;
  /** The stored view of a contact (the router's latest record), or undefined. */
  get(tenant: string, contactId: string): Promise<ContactView | undefined>;
}

export interface CancelOptions {
  /** 1–64 of [a-z0-9_], e.g. "customer_hung_up". */
  readonly reason: string;
  readonly abandoned?: boolean;
  /** Dedupes retried cancels of the same thing. Default: one per contact and kind. */
  readonly requestId?: string;
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

export function createContactIntake(options: ContactIntakeOptions): ContactIntake {
  const { bus, store, clock, ids } = options;
  const commandTime = options.commandTime ?? (() => timestampFromMs(clock.nowMs()));
  const ttlMs = options.idempotencyTtlMs ?? 86_400_000;

  const publishSubmit = async (contact: Contact): Promise<void> => {
    const command = create(ContactCommandSchema, {
      requestId: ids.next(),
      time: commandTime(),
      command: { case: "submit", value: contact },
    });
    await bus.publish(
      contactCommandSubject(bus.subjects, contact.tenant, contact.channel),
      encodeContactCommand(command),
      { msgId: msgIds.submit(contact.tenant, contact.idempotencyKey) },
    );
  };

  // Record first, then publish: the router's records (sequence ≥ 1) can only come after.
  const accept = async (tenantStore: TenantStore, contact: Contact): Promise<void> => {
    await writeProvisionalRecord(
      tenantStore,
      provisionalRecord(contact, ids.next(), clock.nowMs()),
    );
    await publishSubmit(contact);
  };

  return {
    async submit(tenant, input) {
      const violations = validateSubmittedContact(input, tenant);
      if (violations.length > 0) throw invalidArgument(violations);
      const tenantStore = store.forTenant(tenant);
      const contact = clone(ContactSchema, input);
      contact.id = ids.next();
      contact.tenant = tenant;
      contact.createTime ??= timestampFromMs(clock.nowMs());
      // Router-owned: a submitter may pick the queue but not when it entered it.
      delete contact.enqueueTime;
      const claim = await tenantStore.contacts.claimIdempotencyKey(
        contact.idempotencyKey,
        contact.id,
        ttlMs,
      );
      if (claim.created) {
        await accept(tenantStore, contact);
        return { contact, duplicate: false };
      }
      const first = await readRecord(tenantStore, claim.contactId);
      if (first?.record.contact !== undefined) {
        // The first attempt may have failed after its record and before its publish; publishing
        // again is safe (same msgId) and needed only while the router has not seen it yet.
        if (first.sequence === 0) await publishSubmit(first.record.contact);
        return { contact: first.record.contact, duplicate: true };
      }
      // The first attempt claimed the key and died before its record: finish it under its id.
      contact.id = claim.contactId;
      await accept(tenantStore, contact);
      return { contact, duplicate: true };
    },

    async cancel(tenant, contactId, cancel) {
      checkContactId(contactId);
      if (!REASON.test(cancel.reason)) {
        throw invalidArgument([{ field: "reason", description: "1–64 of [a-z0-9_]" }]);
      }
      const view = await readRecord(store.forTenant(tenant), contactId);
      const contact = view?.record.contact;
      if (contact === undefined)
        throw invalidArgument([{ field: "contact_id", description: "unknown contact" }]);
      const abandoned = cancel.abandoned === true;
      const requestId = cancel.requestId ?? (abandoned ? "abandon" : "cancel");
      const command = create(ContactCommandSchema, {
        requestId,
        time: commandTime(),
        command: { case: "cancel", value: { contactId, reason: cancel.reason, abandoned } },
      });
      await bus.publish(
        contactCommandSubject(bus.subjects, tenant, contact.channel),
        encodeContactCommand(command),
        { msgId: msgIds.cancel(tenant, contactId, requestId) },
      );
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
