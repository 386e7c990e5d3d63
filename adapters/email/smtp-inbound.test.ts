import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  createConversations,
  decodeContactEvent,
  pipelineFilters,
  systemClock,
} from "../../core/index.js";
import { AdminService, ContactEventType, ContactService } from "../../proto/index.js";
import { type Stack, startStack } from "../../test/stack/index.js";
import { eventually, sendMail, smtpDialogue } from "./email-test-kit.js";
import { startEmailAdapter } from "./index.js";

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

function channelsFile(email: Record<string, unknown>): string {
  const file = join(mkdtempSync(join(tmpdir(), "sb-email-")), "channels.json");
  writeFileSync(file, JSON.stringify({ email }));
  return file;
}

/** A stack with the email adapter; `created` lists the contacts the router created, in order. */
async function start(argv: string[] = [], email: Record<string, unknown> = {}) {
  const s = await startStack({
    adapters: [startEmailAdapter],
    argv: ["--channels-file", channelsFile(email), ...argv],
  });
  stack = s;
  const created: string[] = [];
  await s.bus.subscribe(pipelineFilters.contactEvents(s.bus.subjects), (n) => {
    const e = decodeContactEvent(n.data);
    if (e.type === ContactEventType.CREATED) created.push(e.contactId);
  });
  const transcript = (contactId: string) =>
    createConversations({ bus: s.bus, store: s.store, clock: systemClock }).transcript(
      "default",
      contactId,
    );
  return { s, created, transcript };
}

const mail = (n: number) => ({
  from: `customer${n}@example.com`,
  to: "support@example.com",
  subject: `Question ${n}`,
  text: `Body ${n}`,
});

/** The rejection a nodemailer send ended with (its SMTP code and text). */
async function refusal(p: Promise<unknown>): Promise<{ responseCode?: number; response?: string }> {
  try {
    await p;
  } catch (err) {
    return err as { responseCode?: number; response?: string };
  }
  throw new Error("the server accepted the message");
}

describe("email adapter SMTP surface", () => {
  it("routes by recipient (address, then *@domain) to queue, skills, priority and language; others to the default queue", async () => {
    const { s, created } = await start([], {
      routes: [
        {
          recipient: "Billing@Example.com",
          queue: "billing",
          skills: [{ skill: "billing", minProficiency: 2 }],
          priority: 10,
          language: "en",
        },
        { recipient: "*@claims.example.com", queue: "claims", skills: ["claims"] },
      ],
    });
    const admin = s.client(AdminService);
    await admin.putQueue({ queue: { id: "billing" } });
    await admin.putQueue({ queue: { id: "claims" } });
    await sendMail(s.smtpPort, { ...mail(1), to: "billing@example.com" });
    await sendMail(s.smtpPort, { ...mail(2), to: "anyone@claims.example.com" });
    await sendMail(s.smtpPort, { ...mail(3), to: "hello@example.com" });
    await eventually("three contacts", () => created.length === 3);
    const contacts = s.client(ContactService);
    const [billing, claims, other] = await Promise.all(
      created.map(async (contactId) => (await contacts.getContact({ contactId })).contact),
    );
    expect(billing).toMatchObject({
      queueId: "billing",
      requiredSkills: [{ skill: "billing", minProficiency: 2 }],
      priority: 10,
      language: "en",
      channelMetadata: { "email.recipient": "billing@example.com" },
    });
    expect(claims).toMatchObject({ queueId: "claims", requiredSkills: [{ skill: "claims" }] });
    expect(other?.queueId).not.toMatch(/billing|claims/);
    expect(other?.requiredSkills).toEqual([]);
  });

  it("rejectUnknownRecipients: a recipient no route names gets 550 5.1.1", async () => {
    const { s } = await start([], {
      rejectUnknownRecipients: true,
      routes: [{ recipient: "support@example.com" }],
    });
    const err = await refusal(sendMail(s.smtpPort, { ...mail(1), to: "nobody@example.com" }));
    expect(err.responseCode).toBe(550);
    expect(err.response).toMatch(/5\.1\.1/);
    await sendMail(s.smtpPort, mail(2));
  });

  it("an oversized message gets 552 and nothing is kept (no contact, no attachment file)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sb-att-"));
    const { s, created } = await start(["--smtp-max-bytes", "4096", "--attachments-dir", dir]);
    // Announced size (SIZE=) and actual size both refused.
    const big = {
      ...mail(1),
      attachments: [{ filename: "big.bin", content: Buffer.alloc(8000, 1) }],
    };
    const err = await refusal(sendMail(s.smtpPort, big));
    expect(err.responseCode).toBe(552);
    const { replies } = await smtpDialogue(s.smtpPort, [
      "EHLO test",
      "MAIL FROM:<a@example.com>",
      "RCPT TO:<support@example.com>",
      "DATA",
      `From: a@example.com\r\nSubject: big\r\n\r\n${"y".repeat(6000)}\r\n.`,
      "QUIT",
    ]);
    expect(replies.at(-2)).toMatch(/^552 /);
    await sendMail(s.smtpPort, mail(2));
    await eventually("the small mail's contact", () => created.length >= 1);
    expect(created).toHaveLength(1);
    expect(readdirSync(dir)).toEqual([]);
    const metrics = await (await fetch(`${s.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /switchboard_email_inbound_total\{outcome="rejected",reason="too_large"[^}]*\} 2/,
    );
  });

  it("per-IP messages per minute: the next one gets 451 4.7.1", async () => {
    const { s } = await start(["--smtp-messages-per-minute", "2"]);
    await sendMail(s.smtpPort, mail(1));
    await sendMail(s.smtpPort, mail(2));
    const err = await refusal(sendMail(s.smtpPort, mail(3)));
    expect(err.responseCode).toBe(451);
    expect(err.response).toMatch(/4\.7\.1/);
  });

  it("concurrent connections over --smtp-max-connections are refused with 421", async () => {
    const { s } = await start(["--smtp-max-connections", "1"]);
    const holder = connect(s.smtpPort, "127.0.0.1");
    const greeting = await new Promise<string>((resolve) =>
      holder.once("data", (d: Buffer) => resolve(d.toString())),
    );
    expect(greeting).toMatch(/^220 /);
    const { replies } = await smtpDialogue(s.smtpPort, []);
    expect(replies[0]).toMatch(/^421 /);
    holder.end("QUIT\r\n");
  });

  it("malformed commands get clear 5xx answers and the session goes on", async () => {
    const { s } = await start(["--smtp-max-bytes", "4096"]);
    const { replies, lines } = await smtpDialogue(s.smtpPort, [
      "EHLO test",
      "FROBNICATE",
      "RCPT TO:<a@example.com>",
      "MAIL FROM:<broken",
      "MAIL FROM:<a@example.com> SIZE=99999999",
      "DATA",
      "MAIL FROM:<a@example.com>",
      "RCPT TO:<not an address>",
      "QUIT",
    ]);
    // EHLO advertises SIZE, and neither STARTTLS nor AUTH when they are not configured.
    expect(lines.some((l) => /^250[ -]SIZE 4096$/.test(l))).toBe(true);
    expect(lines.join("\n")).not.toMatch(/STARTTLS|AUTH/);
    expect(replies.slice(1, 9).map((r) => r.slice(0, 3))).toEqual([
      "250", // EHLO
      "500", // unknown command
      "503", // RCPT before MAIL
      "501", // bad address syntax
      "552", // announced size over the limit
      "503", // DATA without recipients
      "250", // the session still works
      "501", // bad recipient syntax
    ]);
  });

  it("STARTTLS with --tls-cert-file/--tls-key-file, and AUTH with the configured users", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sb-tls-"));
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "key.pem",
        "-out",
        "cert.pem",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
      ],
      { cwd: dir, stdio: "pipe" },
    );
    const { s, created } = await start(
      ["--tls-cert-file", join(dir, "cert.pem"), "--tls-key-file", join(dir, "key.pem")],
      { auth: { required: true, users: [{ username: "relay", password: "s3cret" }] } },
    );
    const plain = Buffer.from("\0relay\0s3cret").toString("base64");
    const { lines, replies } = await smtpDialogue(s.smtpPort, [
      "EHLO test",
      `AUTH PLAIN ${plain}`,
      "MAIL FROM:<a@example.com>",
      "QUIT",
    ]);
    expect(lines).toContain("250-STARTTLS");
    // Credentials never cross in clear: AUTH needs STARTTLS first, and MAIL needs AUTH.
    expect(replies[2]).toMatch(/^538 /);
    expect(replies[3]).toMatch(/^530 /);
    const anonymous = await refusal(sendMail(s.smtpPort, mail(1)));
    expect(anonymous.responseCode).toBe(530);
    const wrong = await refusal(sendMail(s.smtpPort, mail(2), { user: "relay", pass: "nope" }));
    expect(wrong.responseCode).toBe(535);
    await sendMail(s.smtpPort, mail(3), { user: "relay", pass: "s3cret" });
    await eventually("the authenticated mail's contact", () => created.length === 1);
  });

  it("attachments: metadata on the message, contents under --attachments-dir/<contactId>/; charsets decoded", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sb-att-"));
    const { s, created, transcript } = await start(["--attachments-dir", dir]);
    await sendMail(s.smtpPort, {
      from: "Jürgen <juergen@example.de>",
      to: "support@example.com",
      subject: "Rechnung für März",
      text: "Grüße aus Köln",
      textEncoding: "quoted-printable",
      headers: { "Content-Language": "de" },
      attachments: [
        {
          filename: "../rechnung.pdf",
          content: Buffer.from("%PDF fake"),
          contentType: "application/pdf",
        },
      ],
    });
    await eventually("the contact", () => created.length === 1);
    const contactId = created[0] ?? "";
    let messages: Awaited<ReturnType<typeof transcript>> = [];
    await eventually("the message", async () => {
      messages = await transcript(contactId);
      return messages.length === 1;
    });
    const [message] = messages;
    expect(message?.text).toBe("Grüße aus Köln");
    expect(message?.metadata).toMatchObject({ subject: "Rechnung für März", language_hint: "de" });
    expect(message?.attachments).toHaveLength(1);
    const attachment = message?.attachments[0];
    expect(attachment).toMatchObject({
      name: "rechnung.pdf",
      contentType: "application/pdf",
      sizeBytes: 9n,
    });
    expect(attachment?.location.startsWith(join(dir, contactId))).toBe(true);
    expect(readFileSync(attachment?.location ?? "", "utf8")).toBe("%PDF fake");
    const contact = (await s.client(ContactService).getContact({ contactId })).contact;
    expect(contact?.channelMetadata).toMatchObject({
      "email.attachments": "1",
      "email.language_hint": "de",
    });
    expect(contact?.customer?.displayName).toBe("Jürgen");
  });

  it("a message without a usable sender is refused with 550 5.6.0", async () => {
    const { s } = await start();
    const { replies } = await smtpDialogue(s.smtpPort, [
      "EHLO test",
      "MAIL FROM:<>",
      "RCPT TO:<support@example.com>",
      "DATA",
      "Subject: who am I\r\n\r\nno From header, null sender\r\n.",
      "QUIT",
    ]);
    expect(replies.at(-2)).toMatch(/^550 5\.6\.0 no valid sender/);
  });

  it("fuzzing over SMTP: random raw messages get 250 or a clear 5xx, never a crash or a 4xx", async () => {
    const { s } = await start(["--smtp-messages-per-minute", "1000"]);
    const raw = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc
        .tuple(
          fc.array(
            fc.tuple(
              fc.constantFrom(
                "From",
                "Subject",
                "Content-Type",
                "References",
                "Auto-Submitted",
                "X-A",
              ),
              fc.string({ maxLength: 40 }),
            ),
            { maxLength: 6 },
          ),
          fc.string({ maxLength: 200 }),
        )
        .map(([h, body]) => `${h.map(([k, v]) => `${k}: ${v}`).join("\r\n")}\r\n\r\n${body}`),
    );
    await fc.assert(
      fc.asyncProperty(raw, async (text) => {
        try {
          await sendMail(s.smtpPort, {
            envelope: { from: "fuzz@example.com", to: ["support@example.com"] },
            raw: text,
          });
        } catch (err) {
          const code = (err as { responseCode?: number }).responseCode ?? 0;
          expect(code >= 500 && code < 600, `answered ${code}`).toBe(true);
        }
      }),
      { numRuns: 25 },
    );
    // Still serving.
    await sendMail(s.smtpPort, mail(1));
  });
});
