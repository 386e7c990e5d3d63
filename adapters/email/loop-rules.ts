import type { ParsedMail } from "mailparser";

/**
 * Mail that must never be answered automatically (RFC 3834 and the usual practice of ticket
 * systems): answering it is how mail loops start. Each reason is a metric label.
 */
export type LoopReason =
  | "auto_submitted"
  | "auto_reply_header"
  | "bounce"
  | "null_sender"
  | "precedence"
  | "mailing_list"
  | "system_sender";

const SYSTEM_SENDER =
  /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|donotreply|bounces?|auto-?reply|autoresponder)([+-].*)?$/i;
const REPORT_TYPES = new Set([
  "multipart/report",
  "message/delivery-status",
  "message/disposition-notification",
  "message/feedback-report",
]);
// A soft signal only: a person may well write "Out of office question".
const AUTO_REPLY_SUBJECT =
  /^\s*(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office|abwesenheits?notiz|r[ée]ponse automatique|respuesta autom[áa]tica|risposta automatica|autosvar|auto:)/i;

/**
 * The hard reason this mail must be dropped without answer, or undefined. `envelopeFrom` is
 * the SMTP MAIL FROM ("" for the null sender `<>`, which only bounces and reports use).
 */
export function loopReason(
  mail: ParsedMail,
  envelopeFrom: string,
  sender: string,
): LoopReason | undefined {
  const h = mail.headers;
  const autoSubmitted = headerText(h.get("auto-submitted")).toLowerCase();
  if (autoSubmitted !== "" && autoSubmitted.split(";")[0]?.trim() !== "no") return "auto_submitted";
  if (h.has("x-autoreply") || h.has("x-autorespond") || h.has("x-autoresponder")) {
    return "auto_reply_header";
  }
  const contentType = h.get("content-type") as { value?: string } | undefined;
  if (REPORT_TYPES.has((contentType?.value ?? "").toLowerCase())) return "bounce";
  if (envelopeFrom === "") return "null_sender";
  const precedence = headerText(h.get("precedence")).toLowerCase();
  if (["bulk", "junk", "list"].includes(precedence)) return "precedence";
  // mailparser folds List-* headers into one "list" entry; the raw lines say it plainly.
  if (mail.headerLines.some((l) => l.key === "list-id" || l.key === "list-unsubscribe")) {
    return "mailing_list";
  }
  const local = sender.split("@")[0] ?? "";
  if (SYSTEM_SENDER.test(local)) return "system_sender";
  const envelopeLocal = envelopeFrom.split("@")[0] ?? "";
  if (/^(mailer-daemon|postmaster)$/i.test(envelopeLocal)) return "system_sender";
  return undefined;
}

/** The soft signal: an auto-reply subject. The contact is made, but not acknowledged. */
export function looksLikeAutoReply(subject: string): boolean {
  return AUTO_REPLY_SUBJECT.test(subject);
}

/** A header's value as text, whatever shape mailparser gave it. */
export function headerText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value.trim();
  if (Array.isArray(value)) return value.map(headerText).join(", ");
  if (typeof value === "object" && "value" in value)
    return headerText((value as { value: unknown }).value);
  return String(value).trim();
}
