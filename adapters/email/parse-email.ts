import { createHash } from "node:crypto";
import { type AddressObject, type ParsedMail, simpleParser } from "mailparser";
import { LANGUAGE_PATTERN } from "../../core/index.js";
import { headerText, type LoopReason, looksLikeAutoReply, loopReason } from "./loop-rules.js";
import { findReferenceToken } from "./reference.js";

/** One inbound email, reduced to what the adapter needs (all PII: never logged). */
export interface ParsedEmail {
  /** Message-ID without angle brackets; synthesized from the content when missing. */
  readonly messageId: string;
  /** Message-IDs this mail answers: In-Reply-To first, then References newest first. */
  readonly replyTo: readonly string[];
  /** Lower-cased sender address (From, else the envelope sender). */
  readonly from: string;
  readonly displayName: string;
  /** Reply-To address when it differs from From. */
  readonly replyAddress: string;
  readonly subject: string;
  /** Plain text (HTML converted by mailparser), cut to MAX_TEXT characters. */
  readonly text: string;
  readonly attachments: readonly InboundAttachment[];
  /** Content-Language, else a guess from the script of the text; "" when unknown. */
  readonly languageHint: string;
  /** Set: never answer, never make a contact (loop-rules.ts). */
  readonly loop: LoopReason | undefined;
  /** The subject looks like an auto-reply: a contact is made, but no acknowledgement sent. */
  readonly autoReplySuspected: boolean;
  /** The `[#SB-…]` token in the subject, if any. */
  readonly referenceToken: string | undefined;
}

export interface InboundAttachment {
  readonly name: string;
  readonly contentType: string;
  readonly size: number;
  readonly content: Buffer;
}

export type ParseOutcome =
  | { readonly ok: true; readonly email: ParsedEmail }
  | { readonly ok: false; readonly reason: "no_sender" | "unparsable"; readonly message: string };

export const MAX_TEXT = 60_000;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const MAX_IDS = 50;

/**
 * Parses raw RFC 5322 bytes with mailparser (MIME, transfer encodings, charsets through
 * iconv-lite, HTML → text) and classifies the mail. Never throws: an unusable mail is an
 * outcome the SMTP server turns into a 5xx answer.
 */
export async function parseEmail(raw: Buffer, envelopeFrom: string): Promise<ParseOutcome> {
  let mail: ParsedMail;
  try {
    mail = await simpleParser(raw, {
      skipTextToHtml: true,
      skipImageLinks: true,
      skipTextLinks: true,
      maxHtmlLengthToParse: 2 * 1024 * 1024,
    });
  } catch {
    return { ok: false, reason: "unparsable", message: "message could not be parsed as MIME" };
  }
  const fromHeader = firstAddress(mail.from);
  const sender = (fromHeader?.address ?? envelopeFrom).trim().toLowerCase();
  if (sender.length > 254 || !EMAIL.test(sender)) {
    return { ok: false, reason: "no_sender", message: "no valid sender address (From)" };
  }
  const subject = oneLine(mail.subject ?? "");
  const text = plainText(mail);
  const replyAddress = (firstAddress(mail.replyTo)?.address ?? "").trim().toLowerCase();
  const messageId =
    cleanId(mail.messageId) ??
    `${createHash("sha256").update(raw).digest("hex").slice(0, 40)}@no-message-id.invalid`;
  return {
    ok: true,
    email: {
      messageId,
      replyTo: replyIds(mail),
      from: sender,
      displayName: oneLine(fromHeader?.name ?? "").slice(0, 256),
      replyAddress: replyAddress !== sender && EMAIL.test(replyAddress) ? replyAddress : "",
      subject,
      text,
      attachments: mail.attachments.map((a) => ({
        name: a.filename ?? "",
        contentType: a.contentType || "application/octet-stream",
        size: a.size ?? a.content.length,
        content: a.content,
      })),
      languageHint: languageHint(mail, text),
      loop: loopReason(mail, envelopeFrom.trim(), sender),
      autoReplySuspected: looksLikeAutoReply(subject),
      referenceToken: findReferenceToken(subject),
    },
  };
}

function firstAddress(value: AddressObject | AddressObject[] | undefined) {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  for (const group of list) {
    for (const a of group.value) {
      if (a.address) return a;
      const inner = a.group?.find((g) => g.address);
      if (inner) return inner;
    }
  }
  return undefined;
}

function plainText(mail: ParsedMail): string {
  const text = (mail.text ?? "").replace(/\r\n?/g, "\n").replaceAll("\u0000", "").trim();
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}\n[… message cut]` : text;
}

function oneLine(s: string): string {
  return s
    .replaceAll("\u0000", "")
    .replace(/[\r\n\t]+/g, " ")
    .trim();
}

/** `<id@host>` → `id@host`; undefined when empty or absurd. */
export function cleanId(value: unknown): string | undefined {
  const s = headerText(value).replace(/^<|>$/g, "").trim();
  if (s === "" || s.length > 998 || /[\s<>]/.test(s)) return undefined;
  return s;
}

function replyIds(mail: ParsedMail): string[] {
  const ids: string[] = [];
  const add = (v: unknown) => {
    for (const part of headerText(v).split(/[\s,]+/)) {
      const id = cleanId(part);
      if (id !== undefined && !ids.includes(id)) ids.push(id);
    }
  };
  add(mail.inReplyTo);
  const refs = mail.references;
  const list = Array.isArray(refs) ? [...refs].reverse() : refs === undefined ? [] : [refs];
  for (const r of list) add(r);
  return ids.slice(0, MAX_IDS);
}

// The script tells the language for a few writing systems; Latin and Cyrillic say too little.
const SCRIPTS: readonly [RegExp, string][] = [
  [/[\u3040-\u30ff]/, "ja"],
  [/[\uac00-\ud7af]/, "ko"],
  [/[\u4e00-\u9fff]/, "zh"],
  [/[\u0370-\u03ff]/, "el"],
  [/[\u0590-\u05ff]/, "he"],
  [/[\u0600-\u06ff]/, "ar"],
  [/[\u0e00-\u0e7f]/, "th"],
];

/**
 * The language hint: the Content-Language header when it is a BCP 47 tag, else the writing
 * system of the text when that names one language. A hint for the agent and routing rules
 * (channel_metadata), never a hard routing constraint (see README).
 */
function languageHint(mail: ParsedMail, text: string): string {
  const header = headerText(mail.headers.get("content-language")).split(/[\s,]+/)[0] ?? "";
  if (header.length <= 35 && LANGUAGE_PATTERN.test(header)) return header;
  const sample = text.slice(0, 2000);
  for (const [script, language] of SCRIPTS) if (script.test(sample)) return language;
  return "";
}
