import { createHmac, timingSafeEqual } from "node:crypto";
import type { FormParam } from "../voice-provider.js";

/**
 * Twilio's X-Twilio-Signature (https://www.twilio.com/docs/usage/webhooks/webhooks-security):
 * the full URL Twilio called (scheme, host, path, query), then every POST parameter sorted by
 * name with its value appended (name+value, no separators), HMAC-SHA1 keyed with the account's
 * auth token, base64. Repeated names keep their values in arrival order (a stable sort).
 */
export function twilioSignature(
  authToken: string,
  url: string,
  params: readonly FormParam[],
): string {
  const sorted = [...params].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const hmac = createHmac("sha1", authToken);
  hmac.update(url, "utf8");
  for (const [name, value] of sorted) hmac.update(name + value, "utf8");
  return hmac.digest("base64");
}

/** Constant-time comparison of the header against the expected signature. */
export function twilioSignatureMatches(
  authToken: string,
  url: string,
  params: readonly FormParam[],
  header: string,
): boolean {
  const expected = Buffer.from(twilioSignature(authToken, url, params), "utf8");
  const given = Buffer.from(header, "utf8");
  // timingSafeEqual needs equal lengths; a length mismatch is a mismatch (the length of a
  // base64 SHA-1 is public anyway).
  return given.length === expected.length && timingSafeEqual(given, expected);
}
