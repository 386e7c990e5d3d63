import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_TEXT, parseEmail } from "./parse-email.js";
import { findReferenceToken, referenceOf, replySubject } from "./reference.js";

const crlf = (lines: readonly string[]) => Buffer.from(lines.join("\r\n"), "latin1");

async function parsed(raw: Buffer, envelopeFrom = "someone@example.com") {
  const outcome = await parseEmail(raw, envelopeFrom);
  if (!outcome.ok) throw new Error(`refused: ${outcome.message}`);
  return outcome.email;
}

describe("parseEmail: MIME fixtures", () => {
  it("multipart/alternative: the plain part, sender lower-cased with its display name, ids without brackets", async () => {
    const email = await parsed(
      crlf([
        'From: "Ada Lovelace" <Ada.Lovelace@Example.COM>',
        "To: support@example.com",
        "Subject: Refund please",
        "Message-ID: <abc.123@mail.example.com>",
        "In-Reply-To: <ack.1@switchboard.localhost>",
        "References: <root@example.com> <ack.1@switchboard.localhost>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/alternative; boundary="b1"',
        "",
        "--b1",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Plain version.",
        "--b1",
        "Content-Type: text/html; charset=utf-8",
        "",
        "<p>HTML <b>version</b>.</p>",
        "--b1--",
        "",
      ]),
    );
    expect(email).toMatchObject({
      from: "ada.lovelace@example.com",
      displayName: "Ada Lovelace",
      subject: "Refund please",
      text: "Plain version.",
      messageId: "abc.123@mail.example.com",
      replyTo: ["ack.1@switchboard.localhost", "root@example.com"],
      loop: undefined,
      attachments: [],
    });
  });

  it("HTML only: converted to text", async () => {
    const email = await parsed(
      crlf([
        "From: b@example.com",
        "Subject: html",
        "Content-Type: text/html; charset=utf-8",
        "",
        "<html><body><p>Hello <b>there</b></p><p>Second&nbsp;line</p></body></html>",
      ]),
    );
    expect(email.text).toMatch(/^Hello there\s+Second\u00a0?\s?line$/);
  });

  it("attachments: name, type and size; the content kept for the adapter to store or drop", async () => {
    const pdf = Buffer.from("%PDF-1.4 fake");
    const email = await parsed(
      crlf([
        "From: c@example.com",
        "Subject: invoice",
        'Content-Type: multipart/mixed; boundary="m"',
        "",
        "--m",
        "Content-Type: text/plain",
        "",
        "See attached.",
        "--m",
        'Content-Type: application/pdf; name="invoice.pdf"',
        'Content-Disposition: attachment; filename="../../etc/invoice.pdf"',
        "Content-Transfer-Encoding: base64",
        "",
        pdf.toString("base64"),
        "--m--",
        "",
      ]),
    );
    expect(email.text).toBe("See attached.");
    expect(email.attachments).toHaveLength(1);
    expect(email.attachments[0]).toMatchObject({
      contentType: "application/pdf",
      size: pdf.length,
    });
    expect(email.attachments[0]?.content.equals(pdf)).toBe(true);
  });

  it("ISO-8859-1 body and RFC 2047 subject are decoded", async () => {
    const body = Buffer.from("Café crème, s'il vous plaît.", "latin1");
    const email = await parsed(
      Buffer.concat([
        crlf([
          "From: =?ISO-8859-1?Q?Fran=E7ois?= <francois@example.fr>",
          "Subject: =?ISO-8859-1?Q?R=E9clamation?=",
          "Content-Type: text/plain; charset=ISO-8859-1",
          "Content-Transfer-Encoding: 8bit",
          "Content-Language: fr-BE",
          "",
          "",
        ]),
        body,
      ]),
    );
    expect(email).toMatchObject({
      displayName: "François",
      subject: "Réclamation",
      text: "Café crème, s'il vous plaît.",
      languageHint: "fr-BE",
    });
  });

  it("Shift_JIS body and subject are decoded; the script gives the language hint", async () => {
    const text = Buffer.from([0x82, 0xb1, 0x82, 0xf1, 0x82, 0xc9, 0x82, 0xbf, 0x82, 0xcd]); // こんにちは
    const email = await parsed(
      Buffer.concat([
        crlf([
          "From: taro@example.jp",
          "Subject: =?Shift_JIS?B?g2WDWINn?=",
          "Content-Type: text/plain; charset=Shift_JIS",
          "",
          "",
        ]),
        text,
      ]),
    );
    expect(email).toMatchObject({ subject: "テスト", text: "こんにちは", languageHint: "ja" });
  });

  it("missing headers: no Message-ID → one derived from the content; no From → the envelope sender", async () => {
    const raw = crlf(["Subject: hi", "", "body"]);
    const a = await parsed(raw, "Env@Example.com");
    const b = await parsed(raw, "env@example.com");
    expect(a.from).toBe("env@example.com");
    expect(a.messageId).toMatch(/^[0-9a-f]{40}@no-message-id\.invalid$/);
    expect(b.messageId).toBe(a.messageId);
    expect(a.subject).toBe("hi");
  });

  it("malformed headers are survived: garbage From falls back, broken ids are ignored, a mail without any sender is refused", async () => {
    const email = await parsed(
      crlf([
        "From: <<<not an address",
        "Message-ID: no brackets but spaces",
        "In-Reply-To: <>",
        "References: <a@b> garbage <c@d",
        "Content-Type: text/plain; charset=x-unknown-charset",
        "",
        "still readable",
      ]),
      "fallback@example.com",
    );
    expect(email.from).toBe("fallback@example.com");
    expect(email.messageId).toMatch(/@no-message-id\.invalid$/);
    expect(email.replyTo).toContain("a@b");
    expect(email.text).toBe("still readable");
    const refused = await parseEmail(crlf(["Subject: x", "", "y"]), "");
    expect(refused).toMatchObject({ ok: false, reason: "no_sender" });
  });

  it("a huge body is cut to MAX_TEXT characters", async () => {
    const email = await parsed(crlf(["From: d@example.com", "", "x".repeat(MAX_TEXT + 10)]));
    expect(email.text.length).toBeLessThan(MAX_TEXT + 40);
    expect(email.text).toMatch(/\[… message cut\]$/);
  });
});

describe("parseEmail: loop rules", () => {
  const base = ["From: e@example.com", "Subject: s"];
  const cases: [string, string[], string, string?][] = [
    ["Auto-Submitted: auto-replied", ["Auto-Submitted: auto-replied"], "auto_submitted"],
    ["X-Autoreply", ["X-Autoreply: yes"], "auto_reply_header"],
    ["X-Autorespond", ["X-Autorespond: yes"], "auto_reply_header"],
    [
      "multipart/report bounce",
      ['Content-Type: multipart/report; report-type=delivery-status; boundary="r"'],
      "bounce",
    ],
    ["null return path", [], "null_sender", ""],
    ["Precedence: bulk", ["Precedence: bulk"], "precedence"],
    ["Precedence: junk", ["Precedence: junk"], "precedence"],
    ["Precedence: list", ["Precedence: list"], "precedence"],
    ["List-Id", ["List-Id: <news.example.com>"], "mailing_list"],
    ["List-Unsubscribe", ["List-Unsubscribe: <mailto:u@example.com>"], "mailing_list"],
  ];
  it.each(cases)("%s → dropped (%s)", async (_name, headers, reason, envelope) => {
    const email = await parsed(
      crlf([...base, ...headers, "", "body"]),
      envelope ?? "e@example.com",
    );
    expect(email.loop).toBe(reason);
  });

  it.each([
    "MAILER-DAEMON@mx.example.com",
    "postmaster@example.com",
    "noreply@shop.example",
    "no-reply@x.example",
  ])("system sender %s → dropped", async (from) => {
    const email = await parsed(crlf([`From: ${from}`, "", "body"]));
    expect(email.loop).toBe("system_sender");
  });

  it("Auto-Submitted: no and ordinary mail pass; an auto-reply subject is only a soft signal", async () => {
    const no = await parsed(crlf([...base, "Auto-Submitted: no", "", "b"]));
    expect(no.loop).toBeUndefined();
    const ooo = await parsed(
      crlf(["From: f@example.com", "Subject: Out of Office: back Monday", "", "b"]),
    );
    expect(ooo.loop).toBeUndefined();
    expect(ooo.autoReplySuspected).toBe(true);
    expect(no.autoReplySuspected).toBe(false);
  });
});

describe("references", () => {
  it("are stable per contact, 8 Crockford characters, found back in a reply subject", () => {
    const ref = referenceOf("0190c7d2-aaaa-7bbb-8ccc-1234567890ab");
    expect(ref).toMatch(/^SB-[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(referenceOf("0190c7d2-aaaa-7bbb-8ccc-1234567890ab")).toBe(ref);
    expect(referenceOf("another")).not.toBe(ref);
    const subject = replySubject("RE: Re: Fwd: My order [#SB-00000000]", ref);
    expect(subject).toBe(`Re: My order [#${ref}]`);
    expect(findReferenceToken(`AW: ${subject.toLowerCase()}`)).toBe(ref);
    expect(findReferenceToken("no token [#SB-123]")).toBeUndefined();
  });
});

describe("parseEmail: fuzzing (fast-check)", () => {
  const outcomeIsClear = async (raw: Buffer, envelope: string) => {
    const outcome = await parseEmail(raw, envelope);
    if (outcome.ok) {
      // Whatever came in, what goes out fits the contact and message limits.
      expect(outcome.email.from).toMatch(/^[^\s@]+@[^\s@]+$/);
      expect(outcome.email.from).toBe(outcome.email.from.toLowerCase());
      expect(outcome.email.text.length).toBeLessThanOrEqual(MAX_TEXT + 20);
      expect(outcome.email.subject).not.toMatch(/[\r\n]/);
      expect(outcome.email.messageId).not.toMatch(/[\s<>]/);
    } else {
      expect(["no_sender", "unparsable"]).toContain(outcome.reason);
      expect(outcome.message).not.toBe("");
    }
  };

  it("random bytes: never throws; a usable mail or a clear refusal", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2000 }),
        fc.constantFrom("", "x@example.com", "not-an-address"),
        async (bytes, envelope) => outcomeIsClear(Buffer.from(bytes), envelope),
      ),
      { numRuns: 300 },
    );
  });

  const headerName = fc.constantFrom(
    "From",
    "To",
    "Subject",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Content-Language",
    "Auto-Submitted",
    "Precedence",
    "List-Id",
    "X-Weird",
  );
  const headerValue = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.constantFrom(
      "multipart/mixed; boundary=",
      'multipart/alternative; boundary="x"',
      "text/plain; charset=shift_jis",
      "text/html; charset=iso-8859-1",
      "base64",
      "quoted-printable",
      "=?utf-8?B?!!!?=",
      "=?bogus?Q?=ZZ?=",
      "<a@b> <c@d",
      '"Name" <a@b.c>',
    ),
  );

  it("random headers and bodies: never throws; a usable mail or a clear refusal", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(headerName, headerValue), { maxLength: 12 }),
        fc.string({ maxLength: 500 }),
        async (headers, body) => {
          const raw = Buffer.from(
            `${headers.map(([k, v]) => `${k}: ${v}`).join("\r\n")}\r\n\r\n${body}`,
            "utf8",
          );
          await outcomeIsClear(raw, "env@example.com");
        },
      ),
      { numRuns: 300 },
    );
  });
});
