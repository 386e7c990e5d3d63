import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import {
  Channel,
  ContactCommandSchema,
  ContactRecordSchema,
  ContactSchema,
} from "../../proto/index.js";
import { provisionalRecord } from "./contact-records.js";
import { encodeContact, encodeProvisionalRecord, encodeSubmitCommand } from "./submit-encoding.js";

const contact = create(ContactSchema, {
  id: "01a209d7-1d87-7000-9ca2-3cdddc651579",
  tenant: "acme",
  channel: Channel.CHAT,
  idempotencyKey: "k-1",
  queueId: "billing",
  customer: { identifiers: { webSessionId: "w-1", email: "a@example.com" } },
  requiredSkills: [{ skill: "billing", minProficiency: 2 }],
  complexity: 2,
  channelMetadata: { plan: "gold", note: "ü ✓" },
  subject: "invoice",
  priority: 5,
  createTime: timestampFromMs(1_700_000_000_123),
});

describe("submit encoding", () => {
  it("splices the contact's bytes into the same record toBinary writes", () => {
    const bytes = encodeProvisionalRecord(
      contact,
      encodeContact(contact),
      "ev-1",
      1_700_000_000_456,
    );
    const expected = provisionalRecord(contact, "ev-1", 1_700_000_000_456);
    expect(bytes).toEqual(toBinary(ContactRecordSchema, expected));
    expect(fromBinary(ContactRecordSchema, bytes)).toEqual(expected);
  });

  it("splices the contact's bytes into the same submit command toBinary writes", () => {
    const time = timestampFromMs(1_700_000_000_789);
    const bytes = encodeSubmitCommand(encodeContact(contact), "req-1", time);
    const expected = create(ContactCommandSchema, {
      requestId: "req-1",
      time,
      command: { case: "submit", value: contact },
    });
    expect(bytes).toEqual(toBinary(ContactCommandSchema, expected));
    expect(fromBinary(ContactCommandSchema, bytes)).toEqual(expected);
  });

  it("encodes an empty contact too", () => {
    const empty = create(ContactSchema);
    const bytes = encodeSubmitCommand(encodeContact(empty), "", timestampFromMs(0));
    expect(fromBinary(ContactCommandSchema, bytes).command).toEqual({
      case: "submit",
      value: empty,
    });
  });
});
