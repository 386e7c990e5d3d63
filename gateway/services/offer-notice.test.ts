import { create, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { AgentServiceConnectResponseSchema, Channel } from "../../proto/index.js";
import { readOfferNotice } from "./offer-notice.js";

const encode = (m: MessageInitShape<typeof AgentServiceConnectResponseSchema>) =>
  toBinary(AgentServiceConnectResponseSchema, create(AgentServiceConnectResponseSchema, m));

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

describe("readOfferNotice", () => {
  it("reads an offer's id, contact id, channel and expiry, skipping everything else", () => {
    const bytes = encode({
      event: {
        case: "offer",
        value: {
          offerId: "offer-1",
          contact: {
            id: "c-1",
            tenant: "acme",
            channel: Channel.EMAIL,
            subject: "invoice ✓",
            customer: { identifiers: { email: "a@example.com" } },
            channelMetadata: { a: "b" },
          },
          decision: { contactId: "c-1", ruleId: "r-1", queueId: "billing", escalationStep: 2 },
          expireTime: timestampFromMs(1_700_000_123_456),
        },
      },
    });
    expect(readOfferNotice(bytes)).toEqual({
      case: "offer",
      offerId: "offer-1",
      contactId: "c-1",
      channel: Channel.EMAIL,
      expireAtMs: 1_700_000_123_456,
    });
  });

  it("an offer without contact or expiry reads as empty fields", () => {
    expect(readOfferNotice(encode({ event: { case: "offer", value: { offerId: "o" } } }))).toEqual({
      case: "offer",
      offerId: "o",
      contactId: "",
      channel: Channel.UNSPECIFIED,
      expireAtMs: undefined,
    });
    expect(readOfferNotice(encode({ event: { case: "offer", value: {} } }))).toMatchObject({
      case: "offer",
      offerId: "",
    });
  });

  it("reads a withdrawal, and names any other event by its field", () => {
    const withdrawn = encode({
      event: {
        case: "offerWithdrawn",
        value: { offerId: "o-2", contactId: "c", reason: "offer_timeout" },
      },
    });
    expect(readOfferNotice(withdrawn)).toEqual({ case: "offerWithdrawn", offerId: "o-2" });
    expect(readOfferNotice(encode({ event: { case: "ack", value: { requestId: "r" } } }))).toEqual({
      case: "other",
      fieldNo: 5,
    });
    expect(readOfferNotice(new Uint8Array(0))).toEqual({ case: "other", fieldNo: undefined });
  });

  it("decodes like protobuf: the last oneof member wins, a repeated message field merges", () => {
    const offer = encode({
      event: { case: "offer", value: { offerId: "o-1", contact: { id: "c-1" } } },
    });
    const withdrawn = encode({ event: { case: "offerWithdrawn", value: { offerId: "o-9" } } });
    expect(readOfferNotice(concat(offer, withdrawn))).toEqual({
      case: "offerWithdrawn",
      offerId: "o-9",
    });
    const more = encode({
      event: { case: "offer", value: { contact: { channel: Channel.CHAT } } },
    });
    expect(readOfferNotice(concat(offer, more))).toMatchObject({
      offerId: "o-1",
      contactId: "c-1",
      channel: Channel.CHAT,
    });
    expect(readOfferNotice(concat(withdrawn, offer))).toMatchObject({
      case: "offer",
      offerId: "o-1",
    });
  });

  it("throws on bytes that are not an offer message", () => {
    expect(() => readOfferNotice(new Uint8Array([0x12, 0x05, 0x0a]))).toThrow();
    // Field 2 (offer) sent as a varint.
    expect(() => readOfferNotice(new Uint8Array([0x10, 0x01]))).toThrow(/wire type/);
  });
});
