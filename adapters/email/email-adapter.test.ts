import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  AdminService,
  AgentService,
  type AgentServiceConnectResponse,
  Channel,
  ContactService,
} from "../../proto/index.js";
import { findFreePort } from "../../test/harness/index.js";
import { type Stack, startStack } from "../../test/stack/index.js";
import {
  type CaptureServer,
  type Desktop,
  eventually,
  openDesktop,
  sendMail,
  startCapture,
} from "./email-test-kit.js";
import { startEmailAdapter } from "./index.js";

let stack: Stack | undefined;
let capture: CaptureServer | undefined;
const desktops: Desktop[] = [];
afterEach(async () => {
  for (const d of desktops.splice(0)) d.close();
  await stack?.stop();
  await capture?.close();
  stack = undefined;
  capture = undefined;
});

/** A channels file with the given email section (fast outbound retries for the tests). */
function channelsFile(email: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "sb-email-"));
  const file = join(dir, "channels.json");
  writeFileSync(
    file,
    JSON.stringify({ email: { outbound: { backoffMs: [100, 200, 400] }, ...email } }),
  );
  return file;
}

async function start(
  options: { outboundPort?: number; email?: Record<string, unknown>; argv?: string[] } = {},
) {
  const argv = ["--channels-file", channelsFile(options.email), ...(options.argv ?? [])];
  if (options.outboundPort !== undefined) {
    argv.push("--smtp-outbound-url", `smtp://127.0.0.1:${options.outboundPort}`);
  }
  stack = await startStack({ adapters: [startEmailAdapter], argv });
  await stack.client(AdminService).putAgent({
    agent: {
      id: "anna",
      displayName: "Anna",
      skills: [{ skill: "billing", proficiency: 3 }],
      channelCapacities: [{ channel: Channel.EMAIL, maxConcurrent: 5 }],
    },
  });
  return stack;
}

async function agent(s: Stack, id = "anna"): Promise<Desktop> {
  const d = await openDesktop(s.client(AgentService), id);
  desktops.push(d);
  return d;
}

/** Accepts the next offer and returns its contact id. */
async function acceptNext(d: Desktop): Promise<string> {
  const offer = await d.next("offer");
  const value = offer.event.case === "offer" ? offer.event.value : undefined;
  d.send({
    requestId: `acc-${value?.offerId}`,
    command: { case: "acceptOffer", value: { offerId: value?.offerId ?? "" } },
  });
  return value?.contact?.id ?? "";
}

const messageOf = (e: AgentServiceConnectResponse) =>
  e.event.case === "message" ? e.event.value : undefined;

async function metricsText(s: Stack): Promise<string> {
  return (await fetch(`${s.httpUrl}/metrics`)).text();
}

describe("email adapter end to end (real SMTP client, capture server, AgentService)", () => {
  it("customer mail → ack with reference → agent gets it and replies in the thread → customer reply joins the same contact", async () => {
    capture = await startCapture();
    const s = await start({ outboundPort: capture.port });
    const first = await sendMail(s.smtpPort, {
      from: '"Ada Lovelace" <Ada@Example.com>',
      to: "support@example.com",
      subject: "Card charged twice",
      text: "Hello, my card was charged twice for order 1234.",
    });
    const customerMessageId = first.messageId.replace(/^<|>$/g, "");

    // The acknowledgement: in the thread, with the reference and the expected response time.
    await eventually("the acknowledgement", () => capture!.mails.length === 1);
    const ack = capture.mails[0]!.parsed;
    expect(capture.mails[0]!.envelopeTo).toEqual(["ada@example.com"]);
    const reference = /\[#(SB-[0-9A-Z]{8})\]/.exec(ack.subject ?? "")?.[1];
    expect(reference).toBeDefined();
    expect(ack.subject).toBe(`Re: Card charged twice [#${reference}]`);
    expect(ack.text).toContain(`Your reference is ${reference}.`);
    expect(ack.text).toMatch(/We expect to respond (within|as soon as)/);
    expect(ack.inReplyTo).toBe(`<${customerMessageId}>`);
    expect(ack.headers.get("auto-submitted")).toBe("auto-replied");

    // The agent accepts and receives the mail as a message.
    const anna = await agent(s);
    const contactId = await acceptNext(anna);
    const received = messageOf(await anna.next("message"));
    expect(received).toMatchObject({
      contactId,
      text: "Hello, my card was charged twice for order 1234.",
      senderDisplayName: "Ada Lovelace",
      metadata: { message_id: customerMessageId, subject: "Card charged twice" },
    });
    const contact = (await s.client(ContactService).getContact({ contactId })).contact;
    expect(contact?.customer?.identifiers?.email).toBe("ada@example.com");
    expect(contact?.subject).toBe("Card charged twice");
    expect(contact?.channelMetadata["email.reference"]).toBe(reference);

    // The agent's reply goes out in the thread.
    anna.send({
      requestId: "r1",
      command: { case: "sendMessage", value: { contactId, text: "Refunded — sorry about that." } },
    });
    await eventually("the agent's reply", () => capture!.mails.length === 2);
    const reply = capture.mails[1]!.parsed;
    const ackId = ack.messageId ?? "";
    expect(reply.messageId).toMatch(/^<reply\..+@switchboard\.localhost>$/);
    expect(reply.messageId).not.toBe(ackId);
    expect(reply.inReplyTo).toBe(`<${customerMessageId}>`);
    expect(reply.references).toEqual([`<${customerMessageId}>`, ackId]);
    expect(reply.subject).toBe(`Re: Card charged twice [#${reference}]`);
    expect(reply.text).toContain("Refunded — sorry about that.");
    expect(reply.from?.value[0]).toMatchObject({ name: "Anna (Switchboard Support)" });
    expect(reply.headers.has("auto-submitted")).toBe(false);

    // The customer answers in the thread: same contact, the agent receives it.
    await sendMail(s.smtpPort, {
      from: "ada@example.com",
      to: "support@example.com",
      subject: reply.subject ?? "",
      text: "Thanks! Received.",
      inReplyTo: reply.messageId ?? "",
      references: [
        ...(Array.isArray(reply.references) ? reply.references : []),
        reply.messageId ?? "",
      ],
    });
    const again = messageOf(await anna.next("message"));
    expect(again).toMatchObject({ contactId, text: "Thanks! Received." });
    // No second acknowledgement for a mail that joined its thread.
    const metrics = await metricsText(s);
    expect(metrics).toMatch(
      /switchboard_email_inbound_total\{outcome="accepted",reason="new_contact"[^}]*\} 1/,
    );
    expect(metrics).toMatch(
      /switchboard_email_inbound_total\{outcome="accepted",reason="joined_thread"[^}]*\} 1/,
    );
    expect(metrics).toMatch(/switchboard_email_outbound_total\{kind="ack",outcome="sent"[^}]*\} 1/);
    expect(metrics).toMatch(
      /switchboard_email_outbound_total\{kind="reply",outcome="sent"[^}]*\} 1/,
    );
    expect(capture.mails).toHaveLength(2);
  });

  it("outbound relay down, then up: the acknowledgement and the reply are delivered once each", async () => {
    const port = await findFreePort();
    const s = await start({ outboundPort: port });
    await sendMail(s.smtpPort, {
      from: "grace@example.com",
      to: "support@example.com",
      subject: "Where is my parcel?",
      text: "It has been a week.",
    });
    const anna = await agent(s);
    const contactId = await acceptNext(anna);
    await anna.next("message");
    anna.send({
      requestId: "r1",
      command: { case: "sendMessage", value: { contactId, text: "On its way." } },
    });
    await anna.next("ack", (e) => e.event.case === "ack" && e.event.value.requestId === "r1");
    // Both sends have failed at least once before the relay comes up.
    await eventually("failed sends", async () =>
      /kind="reply",outcome="failed"/.test(await metricsText(s)),
    );
    capture = await startCapture(port);
    await eventually("both mails", () => capture!.mails.length === 2, 15_000);
    const kinds = capture.mails.map((m) => (m.parsed.messageId ?? "").split(".")[0]).sort();
    expect(kinds).toEqual(["<ack", "<reply"]);
    expect(
      capture.mails.find((m) => m.parsed.messageId?.startsWith("<reply"))?.parsed.text,
    ).toContain("On its way.");
    // Nothing more arrives: each was claimed, sent and marked once.
    const sent = await metricsText(s);
    expect(sent).toMatch(/kind="reply",outcome="sent"[^}]*\} 1/);
    expect(sent).toMatch(/kind="ack",outcome="sent"[^}]*\} 1/);
    expect(capture.mails).toHaveLength(2);
  });
});
