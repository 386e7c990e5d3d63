import type { IncomingMessage } from "node:http";
import type { FormParam } from "./voice-provider.js";

/** Why a webhook body was refused, as the HTTP status and a JSON-able message. */
export class FormBodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "FormBodyError";
  }
}

const FORM = "application/x-www-form-urlencoded";
const MAX_PARAMS = 256;

/**
 * Reads an `application/x-www-form-urlencoded` body of at most `maxBytes` (415 for another
 * content type, 413 past the limit — checked on Content-Length first, then while reading — and
 * 400 for bytes that are not a form: bad percent-encoding, invalid UTF-8, too many fields).
 */
export async function readForm(req: IncomingMessage, maxBytes: number): Promise<FormParam[]> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== FORM) {
    req.resume();
    throw new FormBodyError(415, `content-type must be ${FORM}`, "content-type");
  }
  const declared = Number(req.headers["content-length"] ?? "0");
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    throw new FormBodyError(413, `body larger than ${maxBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      req.resume();
      throw new FormBodyError(413, `body larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return parseForm(Buffer.concat(chunks));
}

/** Strict form decoding: `URLSearchParams` would silently repair what a provider never sends. */
export function parseForm(bytes: Buffer): FormParam[] {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new FormBodyError(400, "body is not UTF-8");
  }
  if (text === "") return [];
  const pairs = text.split("&");
  if (pairs.length > MAX_PARAMS) throw new FormBodyError(400, `more than ${MAX_PARAMS} fields`);
  const out: FormParam[] = [];
  for (const pair of pairs) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? "" : pair.slice(eq + 1);
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, " "));
      value = decodeURIComponent(rawValue.replace(/\+/g, " "));
    } catch {
      throw new FormBodyError(400, "malformed percent-encoding in the form body");
    }
    if (name === "") throw new FormBodyError(400, "a form field without a name");
    out.push([name, value]);
  }
  return out;
}
