// Test helpers for the phone adapter: a Twilio stand-in on both sides (signed webhooks to the
// gateway; a local HTTP server as the REST API) and TwiML as ordered verbs.
import { randomBytes, webcrypto } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { XMLParser } from "fast-xml-parser";

export const AUTH_TOKEN = "test-auth-token-0123456789abcdef";
export const ACCOUNT_SID = `AC${"0".repeat(31)}1`;

/** A fresh Twilio-style call sid. */
export const newCallSid = (): string => `CA${randomBytes(16).toString("hex")}`;

/**
 * X-Twilio-Signature written from Twilio's security page, independently of the adapter's
 * (WebCrypto instead of node:crypto's Hmac, string building instead of streaming): URL, then
 * the POST parameters sorted by name, each name immediately followed by its value;
 * HMAC-SHA1 with the auth token; base64.
 */
export async function signTwilio(
  authToken: string,
  url: string,
  params: Readonly<Record<string, string>>,
): Promise<string> {
  let data = url;
  for (const name of Object.keys(params).sort()) data += `${name}${params[name]}`;
  const key = await webcrypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(authToken),
    { name: "HMAC", hash: "SHA-1" },
    false,
    ["sign"],
  );
  const mac = await webcrypto.subtle.sign("HMAC", key, new TextEncoder().encode(data));
  return Buffer.from(mac).toString("base64");
}

export interface Verb {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly text: string;
  readonly children: readonly Verb[];
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

/** A TwiML document as its ordered verbs (children of <Response>); throws if not TwiML. */
export function parseTwiml(xml: string): Verb[] {
  const doc = parser.parse(xml) as Record<string, unknown>[];
  const response = doc.find((n) => "Response" in n);
  if (response === undefined) throw new Error(`not TwiML: ${xml.slice(0, 200)}`);
  return toVerbs(response.Response as Record<string, unknown>[]);
}

function toVerbs(nodes: readonly Record<string, unknown>[]): Verb[] {
  const out: Verb[] = [];
  for (const node of nodes) {
    const name = Object.keys(node).find((k) => k !== ":@");
    if (name === undefined || name === "#text") continue;
    const children = (node[name] as Record<string, unknown>[]) ?? [];
    const text = children
      .filter((c) => "#text" in c)
      .map((c) => String(c["#text"]))
      .join("");
    out.push({
      name,
      attrs: (node[":@"] as Record<string, string> | undefined) ?? {},
      text,
      children: toVerbs(children),
    });
  }
  return out;
}

/** Every verb, nested ones included, depth first. */
export function allVerbs(verbs: readonly Verb[]): Verb[] {
  return verbs.flatMap((v) => [v, ...allVerbs(v.children)]);
}

/** All <Say> texts, nested ones included, joined. */
export function spoken(verbs: readonly Verb[]): string {
  return allVerbs(verbs)
    .filter((v) => v.name === "Say")
    .map((v) => v.text)
    .join(" ");
}

export interface WebhookAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  /** Parsed TwiML when the answer is XML. */
  readonly verbs: Verb[];
}

/** Posts a webhook the way Twilio does: form-encoded, signed over publicUrl + path. */
export function twilioClient(httpUrl: string, publicUrl: string, authToken = AUTH_TOKEN) {
  return async (
    pathAndQuery: string,
    params: Readonly<Record<string, string>>,
    signature: "valid" | "missing" | "forged" = "valid",
  ): Promise<WebhookAnswer> => {
    const relative = pathAndQuery.startsWith("http")
      ? pathAndQuery.slice(publicUrl.length)
      : pathAndQuery;
    const headers: Record<string, string> = {
      "content-type": "application/x-www-form-urlencoded; charset=UTF-8",
    };
    if (signature === "valid") {
      headers["x-twilio-signature"] = await signTwilio(authToken, publicUrl + relative, params);
    } else if (signature === "forged") {
      headers["x-twilio-signature"] = await signTwilio(
        "not-the-auth-token",
        publicUrl + relative,
        params,
      );
    }
    const res = await fetch(httpUrl + relative, {
      method: "POST",
      headers,
      body: new URLSearchParams(params).toString(),
    });
    const body = await res.text();
    const contentType = res.headers.get("content-type") ?? "";
    return {
      status: res.status,
      contentType,
      body,
      verbs: contentType.includes("xml") ? parseTwiml(body) : [],
    };
  };
}

export interface RecordedApiCall {
  readonly method: string;
  readonly path: string;
  readonly authorization: string;
  readonly form: URLSearchParams;
}

/** A local stand-in for Twilio's REST API that records what it is asked. */
export interface FakeTwilioApi {
  readonly url: string;
  readonly requests: RecordedApiCall[];
  /** The next `n` requests answer this status (e.g. 500, then normal service). */
  failNext(n: number, status: number): void;
  close(): Promise<void>;
}

export async function startFakeTwilioApi(): Promise<FakeTwilioApi> {
  const requests: RecordedApiCall[] = [];
  const failures: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({
        method: req.method ?? "",
        path: req.url ?? "",
        authorization: req.headers.authorization ?? "",
        form: new URLSearchParams(Buffer.concat(chunks).toString("utf8")),
      });
      const failure = failures.shift();
      if (failure !== undefined) {
        res.writeHead(failure, { "content-type": "application/json" });
        res.end(JSON.stringify({ code: 20500, message: "failure for the test" }));
        return;
      }
      res.writeHead(req.url?.endsWith("/Calls.json") ? 201 : 200, {
        "content-type": "application/json",
      });
      res.end(JSON.stringify({ sid: newCallSid(), status: "queued" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(n, status) {
      for (let i = 0; i < n; i++) failures.push(status);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
