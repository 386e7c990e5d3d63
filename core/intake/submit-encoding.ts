import { create, toBinary } from "@bufbuild/protobuf";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import {
  type Contact,
  ContactCommandSchema,
  ContactEventSchema,
  ContactRecordSchema,
  ContactSchema,
} from "../../proto/index.js";
import { spliceMessage } from "../pipeline/index.js";
import { provisionalEvent } from "./contact-records.js";

/*
 * A submit carries the same contact three times: in the provisional record, again in that
 * record's CREATED event, and in the submit command. Encoding it once and splicing its bytes in
 * (spliceMessage) saves two of the three reflective encodings. Each splice puts the field where
 * toBinary would (the highest field number last), so the bytes are the same as encoding the
 * whole message.
 */

const RECORD_CONTACT = ContactRecordSchema.field.contact.number;
const RECORD_LAST_EVENT = ContactRecordSchema.field.lastEvent.number;
const EVENT_CONTACT = ContactEventSchema.field.contact.number;
const COMMAND_SUBMIT = ContactCommandSchema.field.submit.number;

/** The contact as protobuf binary, to hand to the encoders below. */
export function encodeContact(contact: Contact): Uint8Array {
  return toBinary(ContactSchema, contact);
}

/**
 * The provisional record (see provisionalRecord in contact-records.ts) of the contact encoded
 * as `contactBytes`: sequence 0, a CREATED event with sequence 1 carrying the contact.
 */
export function encodeProvisionalRecord(
  contact: Contact,
  contactBytes: Uint8Array,
  eventId: string,
  nowMs: number,
): Uint8Array {
  const event = provisionalEvent(contact, eventId, nowMs);
  const eventBytes = spliceMessage([
    toBinary(ContactEventSchema, event),
    { field: EVENT_CONTACT, message: contactBytes },
  ]);
  // sequence 0 is the default and is not written: contact and last_event are the whole record.
  return spliceMessage([
    { field: RECORD_CONTACT, message: contactBytes },
    { field: RECORD_LAST_EVENT, message: eventBytes },
  ]);
}

/** The ContactCommand `submit` of the contact encoded as `contactBytes`. */
export function encodeSubmitCommand(
  contactBytes: Uint8Array,
  requestId: string,
  time: Timestamp,
): Uint8Array {
  const head = toBinary(ContactCommandSchema, create(ContactCommandSchema, { requestId, time }));
  return spliceMessage([head, { field: COMMAND_SUBMIT, message: contactBytes }]);
}
