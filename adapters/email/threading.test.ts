import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ParsedMail } from "mailparser";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createConversations,
  decodeContactEvent,
  pipelineFilters,
  systemClock,
} from "../../core/index.js";
import {
  AdminService,
  AgentService,
  Channel,
  ContactEventType,
  ContactService,
} from "../../proto/index.js";
import { type Stack, startStack } from "../../test/stack/index.js";
import {
  type CaptureServer,
  type Desktop,
  eventually,
  openDesktop,
  sendMail,
  smtpDialogue,
  startCapture,
} from "./email-test-kit.js";
import { startEmailAdapter } from "./index.js";

interface Env {
  s: Stack;
  capture: CaptureServer;
  created: string[];
  desktops: Desktop[];
  transcript(contactId: string): Promise<string[]>;
  metric(pattern: RegExp): Promise<number>;
  ackTo(address: string): Promise<ParsedMail>;
}

async function startEnv(): Promise<Env> {
  const capture = await startCapture();
  const file = join(mkdtempSync(join(tmpdir(), "sb-email-")), "channels.json");
  writeFileSync(file, JSON.stringify({ email: { outbound: { backoffMs: [100, 200] } } }));
  const s = await startStack({
    adapters: [startEmailAdapter],
    argv: [
      "--channels-file",
      file,
      "--smtp-outbound-url",
      `smtp://127.0.0.1:${capture.port}`,
      "--smtp-messages-per-minute",
      "1000",
    ],
  });
  const created: string[] = [];
  await s.bus.subscribe(pipelineFilters.contactEvents(s.bus.subjects), (n) => {
    const e = decodeContactEvent(n.data);
    if (e.type === ContactEventType.CREATED) created.push(e.contactId);
  });
  const conversations = createConversations({ bus: s.bus, store: s.store, clock: systemClock });
  return {
    s,
    capture,
    created,
    desktops: [],
    async transcript(contactId) {
      return (await conversations.transcript("default", contactId)).map((m) => m.text);
    },
    async metric(pattern) {
      const text = await (await fetch(`${s.httpUrl}/metrics`)).text();
      const line = text.split("\n").find((l) => pattern.test(l));
      return line === undefined ? 0 : Number(line.split(" ").at(-1));
    },
    async ackTo(address) {
      let found: ParsedMail | undefined;
      await eventually(`the acknowledgement to ${address}`, () => {
        found = capture.mails.find(
          (m) => m.envelopeTo.includes(address) && m.parsed.messageId?.startsWith("<ack."),
        )?.parsed;
        return found !== undefined;
      });
      return found as ParsedMail;
    },
  };
}

async function stopEnv(env: Env | undefined) {
  for (const d of env?.desktops ?? []) d.close();
  await env?.s.stop();
  await env?.capture.close();
}

const joined = /switchboard_email_inbound_total\{outcome="accepted",reason="joined_thread"/;

/** Sends the first mail of a thread and waits for its contact and acknowledgement. */
async function firstMail(env: Env, from: string, subject: string) {
  const sent = await sendMail(env.s.smtpPort, {
    from,
    to: "support@example.com",
    subject,
    text: "first",
  });
  const ack = await env.ackTo(from);
  const contactId = created(env, 1);
  return { sent, ack, contactId };
}

function created(env: Env, n: number): string {
  expect(env.created.length).toBeGreaterThanOrEqual(n);
  return env.created[n - 1] ?? "";
}

describe("email threading", () => {
  let env: Env | undefined;
  afterEach(async () => {
    await stopEnv(env);
    env = undefined;
  });

  it("In-Reply-To the acknowledgement joins the open contact", async () => {
    env = await startEnv();
    const { ack, contactId } = await firstMail(env, "t1@example.com", "Login problem");
    await sendMail(env.s.smtpPort, {
      from: "t1@example.com",
      to: "support@example.com",
      subject: "another subject entirely",
      text: "second",
      inReplyTo: ack.messageId ?? "",
    });
    expect(await env.metric(joined)).toBe(1);
    expect(await env.transcript(contactId)).toEqual(["first", "second"]);
  });

  it("References alone (among unknown ids) join the open contact", async () => {
    env = await startEnv();
    const { sent, contactId } = await firstMail(env, "t2@example.com", "Invoice");
    await sendMail(env.s.smtpPort, {
      from: "t2@example.com",
      to: "support@example.com",
      subject: "Fwd: Invoice",
      text: "forwarded again",
      references: [
        "<unknown.1@elsewhere.example>",
        sent.messageId,
        "<unknown.2@elsewhere.example>",
      ],
    });
    expect(await env.metric(joined)).toBe(1);
    expect(await env.transcript(contactId)).toEqual(["first", "forwarded again"]);
  });

  it("the [#SB-…] token in the subject alone joins the open contact", async () => {
    env = await startEnv();
    const { ack, contactId } = await firstMail(env, "t3@example.com", "Delivery");
    const reference = /\[#(SB-[0-9A-Z]{8})\]/.exec(ack.subject ?? "")?.[1] ?? "";
    // A new mail (no In-Reply-To, no References), the token typed in lower case.
    await sendMail(env.s.smtpPort, {
      from: "t3@example.com",
      to: "support@example.com",
      subject: `about my delivery [#${reference.toLowerCase()}]`,
      text: "any news?",
    });
    expect(await env.metric(joined)).toBe(1);
    expect(await env.transcript(contactId)).toEqual(["first", "any news?"]);
  });

  it("a reply to a completed contact creates a repeat contact offered to the same agent; later replies join the repeat", async () => {
    env = await startEnv();
    const admin = env.s.client(AdminService);
    for (const id of ["anna", "bob"]) {
      await admin.putAgent({
        agent: { id, channelCapacities: [{ channel: Channel.EMAIL, maxConcurrent: 5 }] },
      });
    }
    const anna = await openDesktop(env.s.client(AgentService), "anna");
    env.desktops.push(anna);
    await sendMail(env.s.smtpPort, {
      from: "t4@example.com",
      to: "support@example.com",
      subject: "Broken screen",
      text: "first",
    });
    // Anna answers and completes.
    const first = await accept(anna);
    anna.send({
      requestId: "r1",
      command: { case: "sendMessage", value: { contactId: first, text: "Fixed." } },
    });
    let reply: ParsedMail | undefined;
    await eventually("the agent's reply", () => {
      reply = env?.capture.mails.find((m) => m.parsed.messageId?.startsWith("<reply."))?.parsed;
      return reply !== undefined;
    });
    anna.send({
      requestId: "done1",
      command: {
        case: "completeContact",
        value: { contactId: first, disposition: { code: "resolved", resolved: true } },
      },
    });
    await anna.next("ack", (e) => e.event.case === "ack" && e.event.value.requestId === "done1");
    await eventually(
      "the first contact completed",
      async () => (await lastEvent(env as Env, first)) === ContactEventType.COMPLETED,
    );

    const bob = await bobJoins(env);
    await sendMail(env.s.smtpPort, {
      from: "t4@example.com",
      to: "support@example.com",
      subject: reply?.subject ?? "",
      text: "It broke again.",
      inReplyTo: reply?.messageId ?? "",
    });
    await eventually("the repeat contact", () => env!.created.length === 2);
    const repeat = env.created[1] ?? "";
    expect(repeat).not.toBe(first);
    const contact = (await env.s.client(ContactService).getContact({ contactId: repeat })).contact;
    expect(contact?.preferredAgentId).toBe("anna");
    expect(contact?.channelMetadata["email.previous_contact_id"]).toBe(first);
    const offer = await offerOf(anna, repeat);
    expect(offer?.decision?.scoreTerms).toContainEqual(
      expect.objectContaining({ name: "preferred_agent", value: 1 }),
    );
    expect(bob.seen.some((e) => e.event.case === "offer")).toBe(false);
    // The repeat contact gets its own acknowledgement, in the same thread.
    await eventually(
      "the repeat's acknowledgement",
      () =>
        env!.capture.mails.filter(
          (m) => m.parsed.messageId === `<ack.${repeat}@switchboard.localhost>`,
        ).length === 1,
    );

    // Another reply to the old thread joins the repeat contact rather than a third one.
    await sendMail(env.s.smtpPort, {
      from: "t4@example.com",
      to: "support@example.com",
      subject: reply?.subject ?? "",
      text: "Still broken.",
      inReplyTo: reply?.messageId ?? "",
    });
    expect(await env.metric(joined)).toBe(1);
    expect(await env.transcript(repeat)).toEqual(["It broke again.", "Still broken."]);
  });
});

async function lastEvent(env: Env, contactId: string): Promise<ContactEventType | undefined> {
  return (await env.s.client(ContactService).getContact({ contactId })).lastEvent?.type;
}

/** Accepts the next offer on this desktop; resolves once the customer's mail arrived there. */
async function accept(d: Desktop): Promise<string> {
  const offer = await d.next("offer");
  if (offer.event.case !== "offer") throw new Error("not an offer");
  const { offerId } = offer.event.value;
  const contactId = offer.event.value.contact?.id ?? "";
  d.send({ requestId: `o-${offerId}`, command: { case: "acceptOffer", value: { offerId } } });
  await d.next(
    "message",
    (m) => m.event.case === "message" && m.event.value.contactId === contactId,
  );
  return contactId;
}

/** The offer of `contactId` on this desktop: the router's decision says why this agent. */
async function offerOf(d: Desktop, contactId: string) {
  const e = await d.next(
    "offer",
    (m) => m.event.case === "offer" && m.event.value.contact?.id === contactId,
  );
  return e.event.case === "offer" ? e.event.value : undefined;
}

/** Bob logs in after anna handled the first contact, so he is a ready candidate too. */
async function bobJoins(env: Env): Promise<Desktop> {
  const bob = await openDesktop(env.s.client(AgentService), "bob");
  env.desktops.push(bob);
  return bob;
}

describe("email loop safety (each rule over SMTP: accepted with 250, no contact, no acknowledgement)", () => {
  let env: Env | undefined;
  let probes = 0;
  beforeAll(async () => {
    env = await startEnv();
  });
  afterAll(async () => {
    await stopEnv(env);
  });

  /** A normal mail after the looping one: once its ack is out, the looping one is settled too. */
  async function probe(e: Env) {
    probes += 1;
    const from = `probe${probes}@example.com`;
    await sendMail(e.s.smtpPort, {
      from,
      to: "support@example.com",
      subject: "probe",
      text: "probe",
    });
    await e.ackTo(from);
    expect(e.created).toHaveLength(probes);
    expect(e.capture.mails.every((m) => m.envelopeTo[0]?.startsWith("probe"))).toBe(true);
  }

  const cases: [string, string, Record<string, string>, string?][] = [
    ["Auto-Submitted: auto-replied", "auto_submitted", { "Auto-Submitted": "auto-replied" }],
    ["Auto-Submitted: auto-generated", "auto_submitted", { "Auto-Submitted": "auto-generated" }],
    ["X-Autoreply", "auto_reply_header", { "X-Autoreply": "yes" }],
    ["X-Autorespond", "auto_reply_header", { "X-Autorespond": "yes" }],
    ["Precedence: bulk", "precedence", { Precedence: "bulk" }],
    ["Precedence: junk", "precedence", { Precedence: "junk" }],
    ["Precedence: list", "precedence", { Precedence: "list" }],
    ["List-Id", "mailing_list", { "List-Id": "<news.example.com>" }],
    ["List-Unsubscribe", "mailing_list", { "List-Unsubscribe": "<mailto:unsub@example.com>" }],
    ["mailer-daemon sender", "system_sender", {}, "MAILER-DAEMON@mx.example.com"],
    ["postmaster sender", "system_sender", {}, "postmaster@example.com"],
    ["noreply sender", "system_sender", {}, "noreply@shop.example.com"],
  ];
  it.each(cases)("%s", async (_name, reason, headers, from) => {
    const e = env as Env;
    const before = await e.metric(
      new RegExp(`switchboard_email_loops_dropped_total\\{reason="${reason}"`),
    );
    const info = await sendMail(e.s.smtpPort, {
      from: from ?? "human@example.com",
      to: "support@example.com",
      subject: "Automatic message",
      text: "I am a robot",
      headers,
    });
    expect(info.response).toMatch(/^250 /);
    expect(
      await e.metric(new RegExp(`switchboard_email_loops_dropped_total\\{reason="${reason}"`)),
    ).toBe(before + 1);
    await probe(e);
  });

  it("a bounce (multipart/report, null return path <>) is dropped", async () => {
    const e = env as Env;
    const { replies } = await smtpDialogue(e.s.smtpPort, [
      "EHLO mx.example.com",
      "MAIL FROM:<>",
      "RCPT TO:<support@example.com>",
      "DATA",
      [
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>",
        "Subject: Undelivered Mail Returned to Sender",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
        "",
        "--b",
        "Content-Type: text/plain",
        "",
        "Your message could not be delivered.",
        "--b",
        "Content-Type: message/delivery-status",
        "",
        "Final-Recipient: rfc822; x@example.com",
        "Action: failed",
        "--b--",
        ".",
      ].join("\r\n"),
      "QUIT",
    ]);
    expect(replies.at(-2)).toMatch(/^250 /);
    expect(await e.metric(/switchboard_email_loops_dropped_total\{reason="bounce"/)).toBe(1);
    await probe(e);
  });

  it("the null return path alone (<>) is dropped", async () => {
    const e = env as Env;
    const { replies } = await smtpDialogue(e.s.smtpPort, [
      "EHLO mx.example.com",
      "MAIL FROM:<>",
      "RCPT TO:<support@example.com>",
      "DATA",
      "From: someone@example.com\r\nSubject: notice\r\n\r\nplain text\r\n.",
      "QUIT",
    ]);
    expect(replies.at(-2)).toMatch(/^250 /);
    expect(await e.metric(/switchboard_email_loops_dropped_total\{reason="null_sender"/)).toBe(1);
    await probe(e);
  });

  it("an auto-reply subject (soft signal) makes a contact but sends no acknowledgement", async () => {
    const e = env as Env;
    await sendMail(e.s.smtpPort, {
      from: "ooo@example.com",
      to: "support@example.com",
      subject: "Out of Office: back on Monday",
      text: "I am away.",
    });
    await eventually(
      "the suppressed acknowledgement",
      async () => (await e.metric(/kind="ack",outcome="suppressed"/)) === 1,
    );
    expect(e.capture.mails.some((m) => m.envelopeTo.includes("ooo@example.com"))).toBe(false);
    probes += 1; // its contact counts among the created ones
    const from = "after-ooo@example.com";
    await sendMail(e.s.smtpPort, { from, to: "support@example.com", subject: "hi", text: "hi" });
    await e.ackTo(from);
    expect(e.capture.mails.some((m) => m.envelopeTo.includes("ooo@example.com"))).toBe(false);
  });
});

describe("identity: the same address is the same customer", () => {
  let env: Env | undefined;
  afterEach(async () => {
    await stopEnv(env);
    env = undefined;
  });

  it("two separate mails from one address (any case) resolve to one customer; the second is routed to the previous agent", async () => {
    env = await startEnv();
    const admin = env.s.client(AdminService);
    for (const id of ["anna", "bob"]) {
      await admin.putAgent({
        agent: { id, channelCapacities: [{ channel: Channel.EMAIL, maxConcurrent: 5 }] },
      });
    }
    const anna = await openDesktop(env.s.client(AgentService), "anna");
    env.desktops.push(anna);
    await sendMail(env.s.smtpPort, {
      from: "Ada <Ada@Example.com>",
      to: "support@example.com",
      subject: "Question one",
      text: "one",
    });
    const first = await accept(anna);
    anna.send({
      requestId: "done1",
      command: {
        case: "completeContact",
        value: { contactId: first, disposition: { code: "resolved", resolved: true } },
      },
    });
    await anna.next("ack", (e) => e.event.case === "ack" && e.event.value.requestId === "done1");
    const tenant = env.s.store.forTenant("default");
    const { customerId } = await tenant.identity.resolve([
      { kind: "email", value: "ada@example.com" },
    ]);
    await eventually("the first contact in the customer's history", async () =>
      (await tenant.history.getHistory(customerId)).contacts.some((c) => c.contactId === first),
    );

    const bob = await bobJoins(env);
    // A new thread (new subject, no reference) from the same address in another case.
    await sendMail(env.s.smtpPort, {
      from: "ADA@example.COM",
      to: "support@example.com",
      subject: "Question two",
      text: "two",
    });
    await eventually("the second contact", () => env!.created.length === 2);
    const second = env.created[1] ?? "";
    const contact = (await env.s.client(ContactService).getContact({ contactId: second })).contact;
    expect(contact?.customer?.identifiers?.email).toBe("ada@example.com");
    expect(
      (await tenant.identity.resolve([{ kind: "email", value: "ada@example.com" }])).customerId,
    ).toBe(customerId);
    // Bob is ready too, yet the router offers the returning customer to anna: her history.
    const offer = await offerOf(anna, second);
    expect(offer?.decision?.agentId).toBe("anna");
    expect(offer?.decision?.scoreTerms).toContainEqual(
      expect.objectContaining({ name: "preferred_agent", value: 1 }),
    );
    expect(
      bob.seen.some((e) => e.event.case === "offer" && e.event.value.contact?.id === second),
    ).toBe(false);
  });
});
