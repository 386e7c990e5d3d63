import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { TimestampSchema } from "@bufbuild/protobuf/wkt";
import {
  AgentServiceConnectResponseSchema,
  Channel,
  ContactSchema,
  OfferSchema,
  OfferWithdrawnSchema,
} from "../../proto/index.js";

/**
 * What the gateway itself needs of an offer message (an AgentServiceConnectResponse the router
 * published on the agent's offer subject), read straight from its protobuf binary: the message
 * goes to the agent's stream as the router encoded it, so decoding all of it (the contact, the
 * routing explanation) and encoding it again would be wasted work.
 */
export type OfferNotice =
  | {
      readonly case: "offer";
      readonly offerId: string;
      readonly contactId: string;
      readonly channel: Channel;
      readonly expireAtMs: number | undefined;
    }
  | { readonly case: "offerWithdrawn"; readonly offerId: string }
  | { readonly case: "other"; readonly fieldNo: number | undefined };

const EVENT_OFFER = AgentServiceConnectResponseSchema.field.offer.number;
const EVENT_WITHDRAWN = AgentServiceConnectResponseSchema.field.offerWithdrawn.number;
const EVENT_FIELDS = new Set(AgentServiceConnectResponseSchema.fields.map((f) => f.number));
const OFFER_ID = OfferSchema.field.offerId.number;
const OFFER_CONTACT = OfferSchema.field.contact.number;
const OFFER_EXPIRE = OfferSchema.field.expireTime.number;
const WITHDRAWN_OFFER_ID = OfferWithdrawnSchema.field.offerId.number;
const CONTACT_ID = ContactSchema.field.id.number;
const CONTACT_CHANNEL = ContactSchema.field.channel.number;
const SECONDS = TimestampSchema.field.seconds.number;
const NANOS = TimestampSchema.field.nanos.number;

/**
 * Calls `onField` for each field of the message in `bytes`; fields it does not take (returns
 * false) are skipped. Throws on bytes that are not protobuf binary.
 */
function eachField(
  bytes: Uint8Array,
  onField: (fieldNo: number, wireType: WireType, reader: BinaryReader) => boolean,
): void {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    if (!onField(fieldNo, wireType, reader)) reader.skip(wireType, fieldNo);
  }
}

function expect(wireType: WireType, wanted: WireType, what: string): void {
  if (wireType !== wanted) throw new Error(`cannot decode offer message: bad wire type of ${what}`);
}

/**
 * Reads the event case of an offer message and, for `offer` and `offerWithdrawn`, the fields the
 * gateway keeps. Like protobuf decoding, the last oneof member wins and repeated occurrences of
 * a message field merge. Throws on bytes that are not protobuf binary.
 */
export function readOfferNotice(bytes: Uint8Array): OfferNotice {
  let event: number | undefined;
  let offerId = "";
  let contactId = "";
  let channel: Channel = Channel.UNSPECIFIED;
  let expireSeconds: number | undefined;
  let expireNanos = 0;
  const readTimestamp = (reader: BinaryReader) => {
    expireSeconds ??= 0;
    eachField(reader.bytes(), (no, wt, r) => {
      if (no === SECONDS) {
        expect(wt, WireType.Varint, "expire_time.seconds");
        expireSeconds = Number(r.int64());
      } else if (no === NANOS) {
        expect(wt, WireType.Varint, "expire_time.nanos");
        expireNanos = r.int32();
      } else return false;
      return true;
    });
  };
  const readContact = (reader: BinaryReader) =>
    eachField(reader.bytes(), (no, wt, r) => {
      if (no === CONTACT_ID) {
        expect(wt, WireType.LengthDelimited, "contact.id");
        contactId = r.string();
      } else if (no === CONTACT_CHANNEL) {
        expect(wt, WireType.Varint, "contact.channel");
        channel = r.int32();
      } else return false;
      return true;
    });
  eachField(bytes, (no, wt, reader) => {
    if (!EVENT_FIELDS.has(no)) return false;
    expect(wt, WireType.LengthDelimited, `event field ${no}`);
    if (event !== no) {
      // Another oneof member replaces what was read of the previous one.
      offerId = "";
      contactId = "";
      channel = Channel.UNSPECIFIED;
      expireSeconds = undefined;
      expireNanos = 0;
    }
    event = no;
    if (no === EVENT_OFFER) {
      eachField(reader.bytes(), (f, w, r) => {
        if (f === OFFER_ID) {
          expect(w, WireType.LengthDelimited, "offer.offer_id");
          offerId = r.string();
        } else if (f === OFFER_CONTACT) {
          expect(w, WireType.LengthDelimited, "offer.contact");
          readContact(r);
        } else if (f === OFFER_EXPIRE) {
          expect(w, WireType.LengthDelimited, "offer.expire_time");
          readTimestamp(r);
        } else return false;
        return true;
      });
      return true;
    }
    if (no === EVENT_WITHDRAWN) {
      eachField(reader.bytes(), (f, w, r) => {
        if (f !== WITHDRAWN_OFFER_ID) return false;
        expect(w, WireType.LengthDelimited, "offer_withdrawn.offer_id");
        offerId = r.string();
        return true;
      });
      return true;
    }
    return false;
  });
  if (event === EVENT_OFFER) {
    const expireAtMs =
      expireSeconds === undefined
        ? undefined
        : expireSeconds * 1000 + Math.round(expireNanos / 1_000_000);
    return { case: "offer", offerId, contactId, channel, expireAtMs };
  }
  if (event === EVENT_WITHDRAWN) return { case: "offerWithdrawn", offerId };
  return { case: "other", fieldNo: event };
}
