import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { decodeConversationMessage } from "../../core/index.js";
import { Channel, ContactEventType, ContactService, MessageSender } from "../../proto/index.js";
import { findFreePort, waitUntil } from "../../test/harness/index.js";
import { connectAgent, type Stack, startStack } from "../../test/stack/index.js";
import { createWebAdapter, startWebAdapter } from "./index.js";

// Real clients only: fetch for POST /chat/sessions, `ws` for the socket, gRPC AgentService for
// the agent. One stack per test (they start in tens of milliseconds).

const dir = mkdtempSync(join(tmpdir(), "sb-web-"));
const channelsFile = join(dir, "channels.yaml");
writeFileSync(
  channelsFile,
  [
    "web:",
    "  topics:",
    "    billing: { label: Billing, skills: [billing] }",
    "    tech: { label: Technical help, skills: [{ skill: tech, minProficiency: 2 }] }",
  ].join("\n"),
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let stack: Stack | undefined;
const clients: WebSocket[] = [];
afterEach(async () => {
  for (const ws of clients.splice(0)) ws.terminate();
  await stack?.stop();
  stack = undefined;
});

async function start(argv: string[] = []): Promise<Stack> {
  stack = await startStack({
    adapters: [startWebAdapter],
    argv: ["--channels-file", channelsFile, ...argv],
    router: { positionIntervalMs: 50 },
  });
  return stack;
}

// biome-ignore lint/suspicious/noExplicitAny: frames are JSON; each test checks what it reads.
type Frame = Record<string, any>;

async function postSession(s: Stack, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${s.httpUrl}/chat/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Frame };
}

async function newSession(s: Stack, email = "Ann.Customer@Example.com", topic = "billing") {
  const { status, body } = await postSession(s, { name: "Ann", email, topic });
  expect(status).toBe(201);
  return body as { token: string; contactId: string };
}

interface ChatClient {
  readonly ws: WebSocket;
  readonly frames: Frame[];
  /** The next frame of `type` not taken yet (matching `where`), waiting for it. */
  next(type: string, where?: (f: Frame) => boolean): Promise<Frame>;
  send(frame: unknown): void;
  readonly closed: Promise<{ code: number; reason: string }>;
}

function wsUrl(s: Stack, token?: string) {
  const base = s.httpUrl.replace("http://", "ws://");
  return token === undefined ? `${base}/ws/chat` : `${base}/ws/chat?token=${token}`;
}

function openChat(s: Stack, token: string, origin?: string): Promise<ChatClient> {
  const ws = new WebSocket(wsUrl(s, token), origin === undefined ? {} : { origin });
  clients.push(ws);
  const frames: Frame[] = [];
  const taken = new Set<number>();
  ws.on("message", (data) => frames.push(JSON.parse(String(data)) as Frame));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on("close", (code, reason) => resolve({ code, reason: String(reason) })),
  );
  return new Promise((resolve, reject) => {
    ws.once("error", reject);
    ws.once("open", () =>
      resolve({
        ws,
        frames,
        closed,
        send: (frame) => ws.send(typeof frame === "string" ? frame : JSON.stringify(frame)),
        async next(type, where = () => true) {
          const find = () =>
            frames.findIndex((f, i) => !taken.has(i) && f.type === type && where(f));
          await waitUntil(`a "${type}" frame`, () => find() >= 0, 5000);
          const i = find();
          taken.add(i);
          return frames[i]!;
        },
      }),
    );
  });
}

/** The HTTP status the server answered the upgrade with (101 when the socket opened). */
function upgradeStatus(url: string, origin?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { origin });
    clients.push(ws);
    ws.on("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => {
        body += String(chunk);
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on("open", () => resolve({ status: 101, body: "" }));
    ws.on("error", (err) => {
      if (!String(err.message).includes("Unexpected server response")) reject(err);
    });
  });
}

describe("web chat: POST /chat/sessions", () => {
  it("creates a CHAT contact for the customer and returns an unforgeable token", async () => {
    const s = await start();
    const { token, contactId } = await newSession(s, "Ann.Customer@Example.com", "tech");
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const record = await s.client(ContactService).getContact({ contactId });
    expect(record.contact).toMatchObject({
      channel: Channel.CHAT,
      customer: { displayName: "Ann", identifiers: { email: "ann.customer@example.com" } },
      requiredSkills: [{ skill: "tech", minProficiency: 2 }],
      channelMetadata: { topic: "tech" },
    });
    expect(record.contact?.customer?.identifiers?.webSessionId).not.toBe("");
    // Two sessions, two tokens, two contacts.
    const other = await newSession(s);
    expect(other.token).not.toBe(token);
    expect(other.contactId).not.toBe(contactId);
  });

  it("answers bad requests with 400/413/415 naming the fields, and creates nothing", async () => {
    const s = await start();
    const missing = await postSession(s, { email: "not-an-email", topic: "astrology" });
    expect(missing.status).toBe(400);
    expect(missing.body.fieldViolations.map((v: Frame) => v.field)).toEqual([
      "name",
      "email",
      "topic",
    ]);
    expect(missing.body.fieldViolations[2].description).toContain("billing, tech");
    const wrongTypes = await postSession(s, { name: 7, email: ["a@b.c"], topic: "billing" });
    expect(wrongTypes.body.fieldViolations.map((v: Frame) => v.field)).toEqual(["name", "email"]);
    const notJson = await postSession(s, "{name: Ann");
    expect(notJson).toMatchObject({ status: 400, body: { fieldViolations: [{ field: "body" }] } });
    const array = await postSession(s, "[1,2]");
    expect(array).toMatchObject({ status: 400, body: { fieldViolations: [{ field: "body" }] } });
    const form = await postSession(s, "name=Ann", { "content-type": "text/plain" });
    expect(form.status).toBe(415);
    const huge = await postSession(s, { name: "A", email: "a@b.co", topic: "x".repeat(20_000) });
    expect(huge.status).toBe(413);
    const get = await fetch(`${s.httpUrl}/chat/sessions`);
    expect(get.status).toBe(405);
    expect((await fetch(`${s.httpUrl}/healthz`)).status).toBe(200);
  });
});

describe("web chat: the upgrade checks the origin and the token first", () => {
  it("403 for a foreign Origin, 401 for a missing or forged token; own and listed origins pass", async () => {
    const s = await start(["--allowed-origins", "https://shop.example.com"]);
    const { token } = await newSession(s);
    const evil = await upgradeStatus(wsUrl(s, token), "https://evil.example.net");
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.body)).toMatchObject({ error: expect.stringContaining("origin") });
    expect((await upgradeStatus(wsUrl(s))).status).toBe(401);
    const forged = "A".repeat(43);
    expect((await upgradeStatus(wsUrl(s, forged), s.httpUrl)).status).toBe(401);
    expect((await upgradeStatus(wsUrl(s, `${token}x`), s.httpUrl)).status).toBe(401);
    // The page Switchboard serves itself, a listed site, and a non-browser client (no Origin).
    expect((await upgradeStatus(wsUrl(s, token), s.httpUrl)).status).toBe(101);
    expect((await upgradeStatus(wsUrl(s, token), "https://shop.example.com")).status).toBe(101);
    expect((await upgradeStatus(wsUrl(s, token))).status).toBe(101);
    // One chat, five tabs at most.
    for (let i = 0; i < 2; i += 1) await openChat(s, token);
    expect((await upgradeStatus(wsUrl(s, token))).status).toBe(429);
    const metrics = await (await fetch(`${s.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /switchboard_chat_upgrades_rejected_total\{[^}]*reason="origin"[^}]*} 1/,
    );
    expect(metrics).toMatch(
      /switchboard_chat_upgrades_rejected_total\{[^}]*reason="token"[^}]*} 3/,
    );
  });

  it("without --allowed-origins only the gateway's own origin is let in; CORS follows the list", async () => {
    const s = await start();
    const { token } = await newSession(s);
    expect((await upgradeStatus(wsUrl(s, token), "https://shop.example.com")).status).toBe(403);
    const cross = await postSession(
      s,
      { name: "Ann", email: "a@b.co", topic: "billing" },
      { origin: "https://shop.example.com" },
    );
    expect(cross.status).toBe(403);
  });
});

describe("web chat: frames, limits and abuse", () => {
  it("answers malformed frames with error frames; the socket and the server carry on", async () => {
    const s = await start();
    const { token } = await newSession(s);
    const chat = await openChat(s, token, s.httpUrl);
    await chat.next("welcome");
    const cases: [unknown, string, string | undefined][] = [
      ["not json", "bad_json", undefined],
      ["[1]", "bad_frame", "type"],
      [{ kind: "message" }, "bad_frame", "type"],
      [{ type: "shout" }, "unknown_type", "type"],
      [{ type: "message" }, "invalid_field", "text"],
      [{ type: "message", text: "hi", id: "bad id!" }, "invalid_field", "id"],
      [{ type: "typing", typing: "yes" }, "invalid_field", "typing"],
      [{ type: "csat", score: "5" }, "invalid_field", "score"],
      [{ type: "csat", score: 9 }, "invalid_field", "score"],
      [{ type: "csat", score: 4 }, "not_ended", undefined],
    ];
    for (const [frame, code, field] of cases) {
      chat.send(frame);
      const error = await chat.next("error");
      expect({ code: error.code, field: error.field }).toEqual({ code, field });
      expect(error.message).toEqual(expect.any(String));
    }
    chat.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await chat.next("error")).toMatchObject({ code: "bad_frame" });
    chat.send({ type: "message", text: "still here?", id: "m1" });
    expect(await chat.next("message")).toMatchObject({ id: "c-m1", from: "customer" });
    expect(chat.ws.readyState).toBe(WebSocket.OPEN);
    expect((await fetch(`${s.httpUrl}/healthz`)).status).toBe(200);
  });

  it("closes with 1009 beyond --ws-max-payload-bytes", async () => {
    const s = await start(["--ws-max-payload-bytes", "1024"]);
    const { token } = await newSession(s);
    const chat = await openChat(s, token);
    await chat.next("welcome");
    chat.send({ type: "message", text: "x".repeat(2000) });
    expect((await chat.closed).code).toBe(1009);
    // The contact and the server are fine: the customer reconnects.
    const again = await openChat(s, token);
    await again.next("welcome");
  });

  it("rate-limits frames per connection, then closes on sustained abuse (1008)", async () => {
    const s = await start(["--ws-messages-per-minute", "5"]);
    const { token } = await newSession(s);
    const chat = await openChat(s, token);
    for (let i = 0; i < 5; i += 1) chat.send({ type: "typing", typing: i % 2 === 0 });
    chat.send({ type: "typing", typing: false });
    expect(await chat.next("error")).toMatchObject({ code: "rate_limited" });
    for (let i = 0; i < 20; i += 1) chat.send({ type: "typing", typing: true });
    expect((await chat.closed).code).toBe(1008);
    const metrics = await (await fetch(`${s.httpUrl}/metrics`)).text();
    const limited = /switchboard_chat_rate_limited_frames_total\{[^}]*} (\d+)/.exec(metrics);
    expect(Number(limited?.[1])).toBeGreaterThanOrEqual(10);
  });
});

describe("web chat: reconnect and absence", () => {
  it("a reconnect with the same token resumes the contact: transcript and status", async () => {
    const s = await start();
    const { token, contactId } = await newSession(s);
    const first = await openChat(s, token);
    expect(await first.next("welcome")).toMatchObject({ contactId });
    first.send({ type: "message", text: "Hello, my invoice is wrong", id: "a1" });
    await first.next("message", (f) => f.id === "c-a1");
    const gauge = async () =>
      Number(
        /switchboard_chat_sockets_open\{[^}]*} (\d+)/.exec(
          await (await fetch(`${s.httpUrl}/metrics`)).text(),
        )?.[1],
      );
    expect(await gauge()).toBe(1);
    first.ws.close();
    await first.closed;
    await waitUntil("the socket counted closed", async () => (await gauge()) === 0, 5000);

    const second = await openChat(s, token);
    expect(await second.next("welcome")).toMatchObject({ contactId, name: "Ann" });
    const history = await second.next("history");
    expect(history.messages).toMatchObject([
      { id: "c-a1", from: "customer", text: "Hello, my invoice is wrong" },
    ]);
    expect(await second.next("status")).toMatchObject({ state: "queued", ended: false });
    // A resent message (same id, after a reconnect) is kept once.
    second.send({ type: "message", text: "Hello, my invoice is wrong", id: "a1" });
    second.send({ type: "message", text: "Anyone there?", id: "a2" });
    await second.next("message", (f) => f.id === "c-a2");
    const transcript = await s.client(ContactService).getContact({ contactId });
    expect(transcript.contact?.id).toBe(contactId);
    const third = await openChat(s, token);
    expect((await third.next("history")).messages.map((m: Frame) => m.id)).toEqual([
      "c-a1",
      "c-a2",
    ]);
  });

  it("a customer away past --chat-grace-ms is ABANDONED (waiting time on the record); an ended chat refuses messages", async () => {
    const s = await start(["--chat-grace-ms", "150"]);
    const { token, contactId } = await newSession(s);
    const chat = await openChat(s, token);
    await chat.next("welcome");
    chat.ws.close();
    const contacts = s.client(ContactService);
    await waitUntil(
      "the contact abandoned",
      async () =>
        (await contacts.getContact({ contactId })).lastEvent?.type === ContactEventType.ABANDONED,
      5000,
    );
    const record = await contacts.getContact({ contactId });
    expect(record.lastEvent?.reason).toContain("customer_left");
    const waitedMs =
      timestampMs(record.lastEvent!.time!) - timestampMs(record.contact!.createTime!);
    expect(waitedMs).toBeGreaterThanOrEqual(150);

    const back = await openChat(s, token);
    expect(await back.next("status")).toMatchObject({ state: "abandoned", ended: true });
    back.send({ type: "message", text: "wait, I'm back" });
    expect(await back.next("error")).toMatchObject({ code: "chat_ended" });
  });

  it("a session whose customer never connects is abandoned after the grace period too", async () => {
    const s = await start(["--chat-grace-ms", "100"]);
    const { contactId } = await newSession(s);
    await waitUntil(
      "the contact abandoned",
      async () =>
        (await s.client(ContactService).getContact({ contactId })).lastEvent?.type ===
        ContactEventType.ABANDONED,
      5000,
    );
  });
});

describe("web chat with a real agent (gRPC AgentService)", () => {
  it("queue status, agent joins by name, messages and typing both ways, transcript, CSAT after completion", async () => {
    const s = await start();
    const ahead = await newSession(s, "someone.else@example.com");
    const { token, contactId } = await newSession(s);
    const chat = await openChat(s, token, s.httpUrl);
    expect(await chat.next("status")).toMatchObject({ state: "queued", position: 2 });
    // The customer ahead leaves: the live position feed moves this one up.
    const other = await openChat(s, ahead.token);
    other.send({ type: "leave" });
    await chat.next("position", (f) => f.position === 1);
    expect((await other.closed).code).toBe(1000);
    const left = await s.client(ContactService).getContact({ contactId: ahead.contactId });
    expect(left.lastEvent).toMatchObject({ type: ContactEventType.ABANDONED });

    const anna = await connectAgent(s, "anna", {
      displayName: "Anna Agent",
      skills: [{ skill: "billing", proficiency: 3 }],
    });
    expect(await anna.acceptNext()).toBe(contactId);
    expect(await chat.next("agent_joined")).toEqual({
      type: "agent_joined",
      agentName: "Anna Agent",
    });

    chat.send({ type: "typing", typing: true });
    expect(await anna.next("typing")).toMatchObject({ contactId, typing: true });
    chat.send({ type: "message", text: "My invoice is wrong", id: "q1" });
    const question = await anna.next("message");
    expect(question).toMatchObject({
      contactId,
      sender: MessageSender.CUSTOMER,
      text: "My invoice is wrong",
    });

    anna.send({ case: "setTyping", value: { contactId, typing: true } });
    expect(await chat.next("typing")).toMatchObject({
      from: "agent",
      typing: true,
      agentName: "Anna Agent",
    });
    anna.send({ case: "sendMessage", value: { contactId, text: "Let me fix that for you." } });
    expect(await chat.next("message", (f) => f.from === "agent")).toMatchObject({
      text: "Let me fix that for you.",
      agentName: "Anna Agent",
    });

    chat.send({ type: "transcript" });
    expect(await chat.next("error")).toMatchObject({ code: "email_not_configured" });

    await anna.complete(contactId);
    expect(await chat.next("status", (f) => f.ended)).toMatchObject({ state: "completed" });
    await chat.next("csat_request");
    chat.send({ type: "message", text: "one more thing" });
    expect(await chat.next("error")).toMatchObject({ code: "chat_ended" });
    chat.send({ type: "csat", score: 5 });
    expect(await chat.next("csat_recorded")).toMatchObject({ score: 5 });

    const tenant = s.store.forTenant("default");
    const customer = await tenant.identity.resolve([
      { kind: "email", value: "ann.customer@example.com" },
    ]);
    const history = await tenant.history.getHistory(customer.customerId);
    expect(history.contacts.find((c) => c.contactId === contactId)).toMatchObject({
      agentId: "anna",
      csat: 5,
    });
    // Reconnecting after the CSAT answer does not ask again.
    const later = await openChat(s, token);
    await later.next("status");
    await later.next("history");
    expect(later.frames.some((f) => f.type === "csat_request")).toBe(false);
    anna.close();
  });

  it("the same email as an earlier contact is the same customer: the chat goes to their last agent", async () => {
    const s = await start();
    const anna = await connectAgent(s, "anna", { skills: [{ skill: "billing", proficiency: 3 }] });
    const first = await newSession(s, "repeat@example.com");
    expect(await anna.acceptNext()).toBe(first.contactId);
    // Bob logs in before Anna finishes: he is the longest idle, and would get a chat by a
    // stranger; this customer's history points at Anna.
    const bob = await connectAgent(s, "bob", { skills: [{ skill: "billing", proficiency: 3 }] });
    await anna.complete(first.contactId);
    const second = await newSession(s, "Repeat@Example.COM");
    const offer = await anna.next("offer");
    expect(offer.contact?.id).toBe(second.contactId);
    const preferred = offer.decision?.scoreTerms.find((t) => t.name === "preferred_agent");
    expect(preferred?.value).toBeGreaterThan(0);
    expect(bob.seen.some((m) => m.event.case === "offer")).toBe(false);

    const tenant = s.store.forTenant("default");
    const byEmail = await tenant.identity.resolve([{ kind: "email", value: "repeat@example.com" }]);
    const record = await s.client(ContactService).getContact({ contactId: second.contactId });
    const session = record.contact?.customer?.identifiers?.webSessionId ?? "";
    const bySession = await tenant.identity.resolve([{ kind: "webSession", value: session }]);
    expect(bySession.customerId).toBe(byEmail.customerId);
    anna.close();
    bob.close();
  });
});

describe("web chat: the transcript by email and leaving an agent", () => {
  it("mails the transcript to the customer through --smtp-outbound-url (a real SMTP server)", async () => {
    const mails: { to: string[]; subject: string; text: string }[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      onData(stream, session, callback) {
        simpleParser(stream).then(
          (mail) => {
            mails.push({
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: mail.subject ?? "",
              text: mail.text ?? "",
            });
            callback();
          },
          (err: Error) => callback(err),
        );
      },
    });
    const port = await findFreePort();
    await new Promise<void>((resolve) => smtp.listen(port, "127.0.0.1", resolve));
    try {
      const s = await start(["--smtp-outbound-url", `smtp://127.0.0.1:${port}`]);
      const { token, contactId } = await newSession(s);
      const anna = await connectAgent(s, "anna", {
        displayName: "Anna",
        skills: [{ skill: "billing", proficiency: 3 }],
      });
      await anna.acceptNext();
      const chat = await openChat(s, token);
      await chat.next("status", (f) => f.state === "accepted" || f.state === "connected");
      chat.send({ type: "message", text: "Where is my refund?", id: "r1" });
      await anna.next("message");
      anna.send({ case: "sendMessage", value: { contactId, text: "It left today." } });
      await chat.next("message", (f) => f.from === "agent");
      chat.send({ type: "transcript" });
      await chat.next("transcript_sent");
      expect(mails).toHaveLength(1);
      expect(mails[0]?.to).toEqual(["ann.customer@example.com"]);
      expect(mails[0]?.subject).toContain(contactId);
      expect(mails[0]?.text).toMatch(/Ann: Where is my refund\?[\s\S]*Anna: It left today\./);
      anna.close();
    } finally {
      await new Promise<void>((resolve) => smtp.close(resolve));
    }
  });

  it("a relay that is down gets the page an email_failed error frame; the chat goes on", async () => {
    const closedPort = await findFreePort();
    const s = await start(["--smtp-outbound-url", `smtp://127.0.0.1:${closedPort}`]);
    const { token } = await newSession(s);
    const chat = await openChat(s, token);
    chat.send({ type: "transcript" });
    chat.send({ type: "message", text: "still there?", id: "s1" });
    // The message is not held up behind the failing email.
    await chat.next("message", (f) => f.id === "c-s1");
    expect(await chat.next("error")).toMatchObject({ code: "email_failed" });
    expect(chat.ws.readyState).toBe(WebSocket.OPEN);
  });

  it("a customer who leaves while with an agent: the contact stays with the agent, the transcript says so", async () => {
    const s = await start();
    const { token, contactId } = await newSession(s);
    const anna = await connectAgent(s, "anna", { skills: [{ skill: "billing", proficiency: 3 }] });
    await anna.acceptNext();
    const chat = await openChat(s, token);
    // Connected after the accept: the resumed status carries the agent.
    expect(await chat.next("status")).toMatchObject({ agentName: "anna", ended: false });
    chat.send({ type: "leave" });
    await chat.closed;
    const tenant = s.store.forTenant("default");
    await waitUntil(
      "the departure in the transcript",
      async () =>
        (await tenant.contacts.listMessages(contactId))
          .map(decodeConversationMessage)
          .some((m) => m.sender === MessageSender.SYSTEM && m.metadata.event === "customer_left"),
      5000,
    );
    const record = await s.client(ContactService).getContact({ contactId });
    expect(record.lastEvent?.type).not.toBe(ContactEventType.ABANDONED);
    await anna.complete(contactId);
    anna.close();
  });
});

describe("web chat: keepalive and drain", () => {
  it("terminates a socket that stops answering pings; a drain closes sockets with 1001", async () => {
    stack = await startStack({
      adapters: [createWebAdapter({ keepaliveMs: 50 })],
      argv: ["--channels-file", channelsFile],
    });
    const s = stack;
    const { token } = await newSession(s);
    // A dead peer: `ws` with autoPong off never answers the server's pings.
    const dead = new WebSocket(wsUrl(s, token), { autoPong: false });
    clients.push(dead);
    const deadClosed = new Promise<number>((resolve) => dead.on("close", (code) => resolve(code)));
    const alive = await openChat(s, token);
    await alive.next("welcome");
    expect(await deadClosed).toBe(1006);
    expect(alive.ws.readyState).toBe(WebSocket.OPEN);
    await s.stop();
    stack = undefined;
    expect((await alive.closed).code).toBe(1001);
  });
});
