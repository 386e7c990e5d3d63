import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  type Contact,
  type ContactEvent,
  ContactEventSchema,
  ContactEventType,
  type ContactRecord,
  ContactRecordSchema,
} from "../../proto/index.js";
import { ErrorCode, invalidArgument, SwitchboardError } from "../errors.js";
import { decodeContactRecord } from "../pipeline/index.js";
import type { TenantStore } from "../store/index.js";

export const TERMINAL_EVENTS: ReadonlySet<ContactEventType> = new Set([
  ContactEventType.COMPLETED,
  ContactEventType.ABANDONED,
  ContactEventType.CANCELLED,
]);

/**
 * The record the gateway writes before publishing a submit (encoded by
 * encodeProvisionalRecord in submit-encoding.ts without building it), so GetContact, CancelContact and
 * WatchContact work before the router has seen the contact. Its sequence is 0, so the
 * router's first record (sequence ≥ 1) always replaces it; its CREATED event carries sequence
 * 1, the number the router gives its own CREATED, so a watcher never sees CREATED twice.
 */
export function provisionalRecord(contact: Contact, eventId: string, nowMs: number): ContactRecord {
  const lastEvent = provisionalEvent(contact, eventId, nowMs);
  lastEvent.contact = contact;
  return create(ContactRecordSchema, { contact, sequence: 0n, lastEvent });
}

/** The provisional record's CREATED event (sequence 1), without the contact it carries. */
export function provisionalEvent(contact: Contact, eventId: string, nowMs: number): ContactEvent {
  return create(ContactEventSchema, {
    id: eventId,
    type: ContactEventType.CREATED,
    contactId: contact.id,
    tenant: contact.tenant,
    channel: contact.channel,
    sequence: 1n,
    time: timestampFromMs(nowMs),
  });
}

export interface StoredRecord {
  readonly record: ContactRecord;
  /** 0 while only the gateway's provisional record exists. */
  readonly sequence: number;
}

export async function readRecord(
  store: TenantStore,
  contactId: string,
): Promise<StoredRecord | undefined> {
  const stored = await store.contacts.getRecord(contactId);
  if (stored === undefined) return undefined;
  return { record: decodeContactRecord(stored.record), sequence: stored.sequence };
}

export async function requireRecord(store: TenantStore, contactId: string): Promise<StoredRecord> {
  const stored = await readRecord(store, contactId);
  if (stored === undefined) {
    throw new SwitchboardError(ErrorCode.NotFound, `contact ${contactId} not found`);
  }
  return stored;
}

export function checkContactId(contactId: string): void {
  if (contactId === "" || contactId.length > 256) {
    throw invalidArgument([{ field: "contact_id", description: "required, 1–256 characters" }]);
  }
}
