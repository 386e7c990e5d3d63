import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ClientDuplexStream, ServiceError } from "@grpc/grpc-js";
import { status } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import {
  createConversations,
  decodeAgentCommand,
  decodeConversationMessage,
  encodeOfferMessage,
  msgIds,
  offerSubject,
  pipelineFilters,
  systemClock,
} from "../../core/index.js";
import {
  AdminService,
  type AgentCommand,
  AgentService,
  type AgentServiceConnectRequestSchema,
  type AgentServiceConnectResponse,
  AgentServiceConnectResponseSchema,
  AgentState,
  Channel,
  ContactService,
  type ConversationMessage,
  ConversationMessageSchema,
  MessageSender,
  TypingIndicatorSchema,
} from "../../proto/index.js";
import { waitUntil } from "../../test/harness/index.js";
import { startTestGateway, type TestGateway } from "../gateway-test-kit.js";

const ADMIN = "acme-admin-token-0001";
const ANNA = "acme-agent-anna-token";
const BOB = "acme-agent-bob-token1";
let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

type Stream = ClientDuplexStream<
  MessageInitShape<typeof AgentServiceConnectRequestSchema>,
  AgentServiceConnectResponse
>;
interface Desktop {
  stream: Stream;
  seen: AgentServiceConnectResponse[];
  ended: Promise<ServiceError | undefined>;
  send(request: Parameters<Stream["write"]>[0]): void;
  next(kind: AgentServiceConnectResponse["event"]["case"]): Promise<AgentServiceConnectResponse>;
}

const until = (condition: () => boolean) => waitUntil("the expected messages", condition, 3000);

function open(gw: TestGateway, token?: string): Desktop {
  const stream = gw.client(AgentService, token).connect() as Stream;
  const seen: AgentServiceConnectResponse[] = [];
  const ended = new Promise<ServiceError | undefined>((resolve) => {
    stream.on("data", (m: AgentServiceConnectResponse) => seen.push(m));
    stream.on("end", () => resolve(undefined));
    stream.on("error", (e: ServiceError) => resolve(e));
  });
  let taken = 0;
  return {
    stream,
    seen,
    ended,
    send: (request) => stream.write(request),
    async next(kind) {
      await until(() => seen.slice(taken).some((m) => m.event.case === kind));
      const index = seen.findIndex((m, i) => i >= taken && m.event.case === kind);
      taken = index + 1;
      return seen[index]!;
    },
  };
}

async function start(agentGraceMs = 10_000) {
  gw = await startTestGateway({
    agentGraceMs,
    tokens: {
      [ADMIN]: { tenant: "acme", role: "admin" },
      [ANNA]: { tenant: "acme", role: "agent", agentId: "anna" },
      [BOB]: { tenant: "acme", role: "agent", agentId: "bob" },
    },
  });
  const admin = gw.client(AdminService, ADMIN);
  for (const id of ["anna", "bob"]) {
    await admin.putAgent({
      agent: {
        id,
        skills: [{ skill: "billing", proficiency: 3 }],
        channelCapacities: [{ channel: Channel.CHAT, maxConcurrent: 2 }],
      },
    });
  }
  const commands: AgentCommand[] = [];
  await gw.bus.consume(
    { filterSubjects: [pipelineFilters.agentCommands(gw.bus.subjects)] },
    async (m) => {
      const command = decodeAgentCommand(m.data);
      if (command.command.case !== "profileChanged") commands.push(command);
    },
  );
  return { gw, commands };
}

/** What the router does to offer a contact to an agent. */
async function offer(gw: TestGateway, agentId: string, offerId: string, contactId: string) {
  const message = create(AgentServiceConnectResponseSchema, {
    event: {
      case: "offer",
      value: {
        offerId,
        contact: { id: contactId, tenant: "acme", channel: Channel.CHAT },
        decision: { contactId, agentId, reason: `rule r1 → queue q1; ${agentId}: longest idle` },
        expireTime: timestampFromMs(Date.now() + 30_000),
      },
    },
  });
  await gw.bus.publish(
    offerSubject(gw.bus.subjects, "acme", agentId),
    encodeOfferMessage(message),
    {
      msgId: msgIds.offer("acme", offerId, "offered"),
    },
  );
}

describe("AgentService.Connect over gRPC (memory backends)", () => {
  it("hello → welcome; commands reach the bus with acks; bad commands get CommandError and the stream lives on", async () => {
    const { gw, commands } = await start();
    const anna = open(gw, ANNA);
    anna.send({
      requestId: "h",
      command: { case: "hello", value: { agentId: "anna", client: "test/1" } },
    });
    const welcome = await anna.next("welcome");
    expect(welcome.event.value).toMatchObject({ agent: { id: "anna", state: AgentState.AWAY } });
    await until(() => commands.length === 1);
    expect(commands[0]?.command).toMatchObject({
      case: "connected",
      value: { initialState: AgentState.AWAY },
    });

    anna.send({
      requestId: "p1",
      command: { case: "setPresence", value: { state: AgentState.AVAILABLE } },
    });
    expect((await anna.next("ack")).event.value).toMatchObject({ requestId: "p1" });
    anna.send({
      requestId: "p2",
      command: { case: "setPresence", value: { state: AgentState.WRAP_UP } },
    });
    const bad = await anna.next("error");
    expect(bad.event.value).toMatchObject({
      requestId: "p2",
      code: "INVALID_ARGUMENT",
      fieldViolations: [{ field: "set_presence.state" }],
    });
    anna.send({ requestId: "a1", command: { case: "acceptOffer", value: { offerId: "nope" } } });
    expect((await anna.next("error")).event.value).toMatchObject({ code: "FAILED_PRECONDITION" });
    anna.send({
      requestId: "c1",
      command: { case: "completeContact", value: { contactId: "c9" } },
    });
    expect((await anna.next("error")).event.value).toMatchObject({
      fieldViolations: [{ field: "complete_contact.disposition.code" }],
    });
    anna.send({ requestId: "h2", command: { case: "hello", value: { agentId: "anna" } } });
    expect((await anna.next("error")).event.value).toMatchObject({ code: "FAILED_PRECONDITION" });
    // Still alive: a good command after the bad ones is acknowledged.
    anna.send({
      requestId: "p3",
      command: { case: "setPresence", value: { state: AgentState.AWAY, reason: "break" } },
    });
    expect((await anna.next("ack")).event.value).toMatchObject({ requestId: "p3" });
    await until(() => commands.length === 3);
    expect(commands.map((c) => c.command.case)).toEqual([
      "connected",
      "setPresence",
      "setPresence",
    ]);
    expect(commands[1]).toMatchObject({ agentId: "anna", requestId: "p1" });
    anna.stream.end();
    expect(await anna.ended).toBeUndefined();
  });

  it("refuses another agent's token, unknown agents and a missing hello; accepts the token in hello", async () => {
    const { gw } = await start();
    const spoof = open(gw, ANNA);
    spoof.send({ command: { case: "hello", value: { agentId: "bob" } } });
    expect((await spoof.ended)?.code).toBe(status.PERMISSION_DENIED);
    const ghost = open(gw, ADMIN);
    ghost.send({ command: { case: "hello", value: { agentId: "ghost" } } });
    expect((await ghost.ended)?.code).toBe(status.NOT_FOUND);
    const rude = open(gw, BOB);
    rude.send({ command: { case: "setPresence", value: { state: AgentState.AVAILABLE } } });
    expect((await rude.ended)?.code).toBe(status.FAILED_PRECONDITION);
    const anonymous = open(gw);
    anonymous.send({ command: { case: "hello", value: { agentId: "bob" } } });
    expect((await anonymous.ended)?.code).toBe(status.UNAUTHENTICATED);
    const inHello = open(gw);
    inHello.send({ command: { case: "hello", value: { agentId: "bob", token: BOB } } });
    await inHello.next("welcome");
    inHello.stream.end();
  });

  it("delivers each agent only its own offers with the explanation; accept, wrap-up, complete, withdraw", async () => {
    const { gw, commands } = await start();
    const anna = open(gw, ANNA);
    anna.send({
      command: { case: "hello", value: { agentId: "anna", initialState: AgentState.AVAILABLE } },
    });
    await anna.next("welcome");
    const bob = open(gw, BOB);
    bob.send({ command: { case: "hello", value: { agentId: "bob" } } });
    await bob.next("welcome");

    await offer(gw, "anna", "o1", "c1");
    await offer(gw, "bob", "o2", "c2");
    const got = await anna.next("offer");
    expect(got.event.value).toMatchObject({
      offerId: "o1",
      decision: { reason: expect.stringMatching(/longest idle/) },
    });
    expect((await bob.next("offer")).event.value).toMatchObject({ offerId: "o2" });
    expect(anna.seen.filter((m) => m.event.case === "offer")).toHaveLength(1);

    anna.send({ requestId: "acc", command: { case: "acceptOffer", value: { offerId: "o1" } } });
    await anna.next("ack");
    anna.send({ requestId: "wu", command: { case: "startWrapUp", value: { contactId: "c1" } } });
    await anna.next("ack");
    anna.send({
      requestId: "done",
      command: {
        case: "completeContact",
        value: { contactId: "c1", disposition: { code: "resolved", resolved: true } },
      },
    });
    await anna.next("ack");
    anna.send({
      requestId: "again",
      command: {
        case: "completeContact",
        value: { contactId: "c1", disposition: { code: "resolved" } },
      },
    });
    expect((await anna.next("error")).event.value).toMatchObject({ code: "FAILED_PRECONDITION" });

    await gw.bus.publish(
      offerSubject(gw.bus.subjects, "acme", "bob"),
      encodeOfferMessage(
        create(AgentServiceConnectResponseSchema, {
          event: {
            case: "offerWithdrawn",
            value: { offerId: "o2", contactId: "c2", reason: "offer_timeout" },
          },
        }),
      ),
      { msgId: msgIds.offer("acme", "o2", "withdrawn") },
    );
    await bob.next("offerWithdrawn");
    bob.send({ requestId: "late", command: { case: "acceptOffer", value: { offerId: "o2" } } });
    expect((await bob.next("error")).event.value).toMatchObject({ code: "FAILED_PRECONDITION" });

    await until(() => commands.filter((c) => c.agentId === "anna").length === 4);
    expect(commands.filter((c) => c.agentId === "anna").map((c) => c.command.case)).toEqual([
      "connected",
      "acceptOffer",
      "startWrapUp",
      "completeContact",
    ]);
    anna.stream.end();
    bob.stream.end();
  });

  it("a dropped stream publishes AgentDisconnected after the grace period, unless the agent came back", async () => {
    const { gw, commands } = await start(300);
    const disconnects = () => commands.filter((c) => c.command.case === "disconnected");
    const first = open(gw, ANNA);
    first.send({ command: { case: "hello", value: { agentId: "anna" } } });
    await first.next("welcome");
    first.stream.cancel();
    await first.ended;
    // Back within the grace period: nothing is reported.
    const second = open(gw, ANNA);
    second.send({ command: { case: "hello", value: { agentId: "anna" } } });
    await second.next("welcome");
    await new Promise((r) => setTimeout(r, 500));
    expect(disconnects()).toHaveLength(0);
    // A newer stream replaces an older one, which ends ALREADY_EXISTS.
    const third = open(gw, ANNA);
    third.send({ command: { case: "hello", value: { agentId: "anna" } } });
    await third.next("welcome");
    expect((await second.ended)?.code).toBe(status.ALREADY_EXISTS);
    third.stream.cancel();
    await third.ended;
    await new Promise((r) => setTimeout(r, 100));
    expect(disconnects()).toHaveLength(0);
    await until(() => disconnects().length === 1);
    expect(disconnects()[0]).toMatchObject({
      agentId: "anna",
      command: { value: { reason: "stream_closed" } },
    });
  });
});

describe("AgentService conversations (memory backends)", () => {
  it("relays customer messages and typing to the agent holding the contact, and agent messages to the channel", async () => {
    const { gw } = await start();
    const conversations = createConversations({ bus: gw.bus, store: gw.store, clock: systemClock });
    const submitted = await gw.client(ContactService, ADMIN).submitContact({
      contact: {
        channel: Channel.CHAT,
        idempotencyKey: "chat-1",
        customer: { identifiers: { email: "ada@example.com" } },
      },
    });
    const contactId = submitted.contact!.id;
    const customerSays = (id: string, text: string) =>
      conversations.publish(
        create(ConversationMessageSchema, {
          id,
          contactId,
          tenant: "acme",
          channel: Channel.CHAT,
          sender: MessageSender.CUSTOMER,
          text,
        }),
      );
    const toChannel: ConversationMessage[] = [];
    await gw.bus.consume(
      { filterSubjects: [pipelineFilters.messages(gw.bus.subjects, Channel.CHAT)] },
      async (m) => {
        const message = decodeConversationMessage(m.data);
        if (message.sender === MessageSender.AGENT) toChannel.push(message);
      },
    );
    await customerSays("m1", "hello, my card was charged twice");

    const anna = open(gw, ANNA);
    anna.send({ command: { case: "hello", value: { agentId: "anna" } } });
    await anna.next("welcome");
    // Not hers yet: she cannot write to the customer.
    anna.send({
      requestId: "s0",
      command: { case: "sendMessage", value: { contactId, text: "hi" } },
    });
    expect((await anna.next("error")).event.value).toMatchObject({
      requestId: "s0",
      code: "FAILED_PRECONDITION",
    });
    await offer(gw, "anna", "o1", contactId);
    await anna.next("offer");
    anna.send({ requestId: "a1", command: { case: "acceptOffer", value: { offerId: "o1" } } });
    await anna.next("ack");
    // What the customer wrote while waiting arrives with the accept.
    expect((await anna.next("message")).event.value).toMatchObject({
      id: "m1",
      text: "hello, my card was charged twice",
    });

    await customerSays("m2", "are you there?");
    expect((await anna.next("message")).event.value).toMatchObject({ id: "m2" });
    conversations.typing(
      create(TypingIndicatorSchema, {
        contactId,
        tenant: "acme",
        channel: Channel.CHAT,
        sender: MessageSender.CUSTOMER,
        typing: true,
      }),
    );
    expect((await anna.next("typing")).event.value).toMatchObject({ contactId, typing: true });

    anna.send({
      requestId: "s1",
      command: { case: "sendMessage", value: { contactId, text: "Yes — refunding now." } },
    });
    expect((await anna.next("ack")).event.value).toMatchObject({ requestId: "s1" });
    anna.send({
      requestId: "s1",
      command: { case: "sendMessage", value: { contactId, text: "Yes — refunding now." } },
    });
    await anna.next("ack");
    anna.send({
      requestId: "s2",
      command: { case: "sendMessage", value: { contactId, text: " " } },
    });
    expect((await anna.next("error")).event.value).toMatchObject({
      fieldViolations: [{ field: "send_message.text" }],
    });
    await until(() => toChannel.length === 1);
    expect(toChannel[0]).toMatchObject({
      contactId,
      agentId: "anna",
      sender: MessageSender.AGENT,
      text: "Yes — refunding now.",
    });
    // The retried s1 was kept once: the transcript holds m1, m2 and one agent reply.
    const transcript = await conversations.transcript("acme", contactId);
    expect(transcript.map((m) => m.text)).toEqual([
      "hello, my card was charged twice",
      "are you there?",
      "Yes — refunding now.",
    ]);
    // Completed: no longer hers, so what the customer writes next stays in the transcript.
    anna.send({
      requestId: "c1",
      command: {
        case: "completeContact",
        value: { contactId, disposition: { code: "resolved" } },
      },
    });
    expect((await anna.next("ack")).event.value).toMatchObject({ requestId: "c1" });
    await customerSays("m3", "thanks!");
    await new Promise((resolve) => setTimeout(resolve, 100));
    const relayed = anna.seen.flatMap((m) =>
      m.event.case === "message" ? [m.event.value.id] : [],
    );
    expect(relayed).toEqual(["m1", "m2"]);
    anna.stream.end();
  });
});
