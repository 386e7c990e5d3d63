import { create, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { type ServiceError, status } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import {
  type BusMessage,
  contactEventSubject,
  decodeContactCommand,
  encodeContactEvent,
  encodeContactRecord,
  msgIds,
  pipelineFilters,
} from "../../core/index.js";
import {
  Channel,
  type Contact,
  type ContactEvent,
  ContactEventSchema,
  ContactEventType,
  ContactRecordSchema,
  ContactSchema,
  ContactService,
  SubmitContactResponseSchema,
  type WatchContactResponse,
} from "../../proto/index.js";
import { waitUntil } from "../../test/harness/index.js";
import { startTestGateway, type TestGateway } from "../gateway-test-kit.js";
import { fieldViolationsOf } from "../status.js";
import { encodeSubmitResponse } from "./contact-service.js";

const TOKEN = "platform-token-acme-0001";
let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

async function start() {
  gw = await startTestGateway({
    tokens: { [TOKEN]: { tenant: "acme", role: "platform" } },
    cancelWaitMs: 2000,
  });
  return { gw, contacts: gw.client(ContactService, TOKEN) };
}

const valid = (key: string) => ({
  channel: Channel.EMAIL,
  idempotencyKey: key,
  customer: { identifiers: { email: "ann@example.com" } },
  requiredSkills: [{ skill: "billing", minProficiency: 2 }],
  complexity: 2,
  subject: "invoice",
});

/** Every contact command the gateway published, decoded. */
async function recordCommands(gw: TestGateway) {
  const seen: BusMessage[] = [];
  await gw.bus.consume(
    { filterSubjects: [pipelineFilters.contactCommands(gw.bus.subjects)] },
    async (m) => {
      seen.push(m);
    },
  );
  return seen;
}

/** What the router does for an event: record it, then publish it. */
async function routerEmits(
  gw: TestGateway,
  contact: Contact,
  event: MessageInitShape<typeof ContactEventSchema>,
) {
  const e = create(ContactEventSchema, {
    contactId: contact.id,
    tenant: contact.tenant,
    channel: contact.channel,
    ...event,
  });
  const record = create(ContactRecordSchema, { contact, lastEvent: e, sequence: e.sequence });
  await gw.store
    .forTenant(contact.tenant)
    .contacts.putRecord(contact.id, encodeContactRecord(record), Number(e.sequence));
  await gw.bus.publish(
    contactEventSubject(gw.bus.subjects, contact.tenant, contact.channel),
    encodeContactEvent(e),
    { msgId: msgIds.contactEvent(contact.tenant, contact.id, e.sequence) },
  );
}

const until = (condition: () => boolean) => waitUntil("the expected messages", condition, 2000);

describe("encodeSubmitResponse", () => {
  it("writes what toBinary writes for the response", () => {
    const contact = create(ContactSchema, { id: "c-1", tenant: "acme", ...valid("k") });
    for (const duplicate of [false, true]) {
      expect(encodeSubmitResponse(toBinary(ContactSchema, contact), duplicate)).toEqual(
        toBinary(
          SubmitContactResponseSchema,
          create(SubmitContactResponseSchema, { contact, duplicate }),
        ),
      );
    }
  });
});

describe("ContactService over gRPC (memory backends)", () => {
  it("refuses an invalid contact listing every field violation; other calls are unaffected", async () => {
    const { contacts } = await start();
    const error = (await contacts
      .submitContact({
        contact: {
          idempotencyKey: "",
          customer: {},
          requiredSkills: [{ skill: "Billing!", minProficiency: 7 }],
          complexity: 9,
          priority: 101,
          language: "english please",
          subject: "x".repeat(300),
          channelMetadata: { "email.raw": "y".repeat(2000) },
        },
      })
      .catch((e: ServiceError) => e)) as ServiceError;
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(error).map((v) => v.field)).toEqual([
      "contact.channel",
      "contact.idempotency_key",
      "contact.customer.identifiers",
      "contact.required_skills[0].skill",
      "contact.required_skills[0].min_proficiency",
      "contact.complexity",
      "contact.priority",
      "contact.language",
      "contact.subject",
      'contact.channel_metadata["email.raw"]',
    ]);
    const missing = (await contacts
      .submitContact({})
      .catch((e: ServiceError) => e)) as ServiceError;
    expect(fieldViolationsOf(missing)).toEqual([{ field: "contact", description: "required" }]);
    const ok = await contacts.submitContact({ contact: valid("k-ok") });
    expect(ok.duplicate).toBe(false);
    expect(ok.contact?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(ok.contact?.tenant).toBe("acme");
  });

  it("a retried submit returns the same contact with duplicate=true and publishes once", async () => {
    const { gw, contacts } = await start();
    const commands = await recordCommands(gw);
    const first = await contacts.submitContact({ contact: valid("k-1") });
    const retry = await contacts.submitContact({ contact: { ...valid("k-1"), subject: "other" } });
    expect(retry.duplicate).toBe(true);
    expect(retry.contact?.id).toBe(first.contact?.id);
    expect(retry.contact?.subject).toBe("invoice");
    const other = await contacts.submitContact({ contact: valid("k-2") });
    expect(other.contact?.id).not.toBe(first.contact?.id);
    await until(() => commands.length === 2);
    const [command] = commands;
    expect(command?.subject).toBe(`${gw.bus.subjects.root}.contact.acme.email.command`);
    expect(command?.msgId).toBe("submit:acme:k-1");
    const decoded = decodeContactCommand(command!.data);
    expect(decoded.command.case).toBe("submit");
    expect(decoded.command.value).toMatchObject({ id: first.contact?.id, tenant: "acme" });
  });

  it("a retry finishes a first attempt that claimed the key and died before its record", async () => {
    const { gw, contacts } = await start();
    const commands = await recordCommands(gw);
    const claimed = "01a209d7-1d87-7000-9ca2-3cdddc651579";
    await gw.store.forTenant("acme").contacts.claimIdempotencyKey("k-died", claimed, 60_000);
    const retry = await contacts.submitContact({ contact: valid("k-died") });
    expect(retry.duplicate).toBe(true);
    expect(retry.contact?.id).toBe(claimed);
    const got = await contacts.getContact({ contactId: claimed });
    expect(got.contact).toEqual(retry.contact);
    expect(got.lastEvent?.type).toBe(ContactEventType.CREATED);
    const again = await contacts.submitContact({ contact: valid("k-died") });
    expect(again.contact).toEqual(retry.contact);
    await until(() => commands.length === 1);
    const decoded = decodeContactCommand(commands[0]!.data);
    expect(decoded.command.value).toMatchObject({ id: claimed, tenant: "acme" });
    // The second retry published again (the record is still provisional); the bus kept one.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(commands).toHaveLength(1);
  });

  it("GetContact: CREATED from the submit before the router wrote a record, the router's view after", async () => {
    const { gw, contacts } = await start();
    const { contact } = await contacts.submitContact({ contact: valid("k-get") });
    const before = await contacts.getContact({ contactId: contact!.id });
    expect(before.lastEvent?.type).toBe(ContactEventType.CREATED);
    expect(before.contact?.subject).toBe("invoice");
    await routerEmits(gw, contact!, {
      type: ContactEventType.QUEUED,
      sequence: 2n,
      queueId: "q1",
      position: 3,
    });
    const after = await contacts.getContact({ contactId: contact!.id });
    expect(after.lastEvent).toMatchObject({ type: ContactEventType.QUEUED, position: 3 });
    await expect(contacts.getContact({ contactId: "nope" })).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
    await expect(contacts.getContact({ contactId: "" })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
    });
  });

  it("CancelContact publishes a cancel command and answers with the router's CANCELLED event", async () => {
    const { gw, contacts } = await start();
    const { contact } = await contacts.submitContact({ contact: valid("k-cancel") });
    await gw.bus.consume(
      { filterSubjects: [pipelineFilters.contactCommands(gw.bus.subjects)] },
      async (m) => {
        const command = decodeContactCommand(m.data);
        if (command.command.case !== "cancel") return;
        expect(m.msgId).toBe(`cancel:acme:${contact!.id}:api-cancel`);
        await routerEmits(gw, contact!, {
          type: ContactEventType.CANCELLED,
          sequence: 2n,
          reason: command.command.value.reason,
        });
      },
    );
    const { event } = await contacts.cancelContact({ contactId: contact!.id, reason: "solved" });
    expect(event).toMatchObject({
      type: ContactEventType.CANCELLED,
      reason: "solved",
      sequence: 2n,
    });
    // Idempotent: the stored CANCELLED comes back.
    const again = await contacts.cancelContact({ contactId: contact!.id });
    expect(again.event?.sequence).toBe(2n);
    await expect(
      contacts.cancelContact({ contactId: contact!.id, reason: "Bad Reason" }),
    ).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
    });
  });

  it("WatchContact streams the current state, then live events, and ends after a terminal one", async () => {
    const { gw, contacts } = await start();
    const { contact } = await contacts.submitContact({ contact: valid("k-watch") });
    const stream = contacts.watchContact({ contactId: contact!.id });
    const seen: ContactEvent[] = [];
    const ended = new Promise<void>((resolve, reject) => {
      stream.on("data", (r: WatchContactResponse) => seen.push(r.event!));
      stream.on("end", resolve);
      stream.on("error", reject);
    });
    await until(() => seen.length === 1);
    expect(seen[0]?.type).toBe(ContactEventType.CREATED);
    // The router's own CREATED (sequence 1) is not sent twice.
    await routerEmits(gw, contact!, { type: ContactEventType.CREATED, sequence: 1n });
    await routerEmits(gw, contact!, { type: ContactEventType.QUEUED, sequence: 2n });
    await routerEmits(gw, contact!, {
      type: ContactEventType.OFFERED,
      sequence: 3n,
      agentId: "anna",
    });
    await routerEmits(gw, contact!, { type: ContactEventType.COMPLETED, sequence: 4n });
    await ended;
    expect(seen.map((e) => [e.type, e.sequence])).toEqual([
      [ContactEventType.CREATED, 1n],
      [ContactEventType.QUEUED, 2n],
      [ContactEventType.OFFERED, 3n],
      [ContactEventType.COMPLETED, 4n],
    ]);
    // A finished contact's watch sends its last state and ends at once.
    const late: ContactEvent[] = [];
    const lateStream = contacts.watchContact({ contactId: contact!.id });
    await new Promise<void>((resolve, reject) => {
      lateStream.on("data", (r: WatchContactResponse) => late.push(r.event!));
      lateStream.on("end", resolve);
      lateStream.on("error", reject);
    });
    expect(late.map((e) => e.type)).toEqual([ContactEventType.COMPLETED]);
  });
});
