import { createHash } from "node:crypto";

// Crockford base32: no I, L, O, U, so a reference read aloud or retyped survives.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const TOKEN = /\[#(SB-[0-9A-HJKMNP-TV-Z]{8})\]/i;

/**
 * The customer-facing reference of a contact, `SB-` and 8 characters (40 bits) derived from
 * the contact id: the same contact always gets the same reference, so a redelivered
 * acknowledgement carries the same one. Resolved back through channel state.
 */
export function referenceOf(contactId: string): string {
  const digest = createHash("sha256").update(contactId).digest();
  let out = "SB-";
  let bits = 0;
  let value = 0;
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 11) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length === 11) break;
    value &= 0xff;
  }
  return out;
}

/** The `[#SB-XXXXXXXX]` token of a subject, upper-cased, or undefined. */
export function findReferenceToken(subject: string): string | undefined {
  return TOKEN.exec(subject)?.[1]?.toUpperCase();
}

/** `Re: <subject> [#SB-…]` without piling up `Re:` prefixes or tokens. */
export function replySubject(subject: string, reference: string): string {
  const base = subject
    .replace(/\[#SB-[0-9A-Z]{8}\]/gi, "")
    .replace(/^\s*((re|aw|sv|fw|fwd|tr|antw)\s*:\s*)+/i, "")
    .replace(/\s+/g, " ")
    .trim();
  return `Re: ${base === "" ? "Your message" : base.slice(0, 200)} [#${reference}]`;
}
