import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../../test/stack/index.js";
import { startPhoneAdapter } from "./index.js";
import { AUTH_TOKEN, signTwilio } from "./phone-test-kit.js";

const PUBLIC = "https://voice.example.test";
const ROUTES = [
  "/voice/incoming",
  "/voice/language",
  "/voice/menu",
  "/voice/hold",
  "/voice/hold-choice",
  "/voice/connect?tenant=default&contact=x",
  "/voice/callback-answer?tenant=default&contact=x",
  "/voice/status?leg=agent",
];

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    adapters: [startPhoneAdapter],
    argv: ["--twilio-auth-token", AUTH_TOKEN, "--public-url", PUBLIC],
  });
});
afterAll(async () => {
  await stack.stop();
});

// Field names Twilio sends, plus anything.
const name = fc.oneof(
  fc.constantFrom("CallSid", "From", "To", "Digits", "CallStatus", "AccountSid", "Caller"),
  fc.string({ maxLength: 12 }),
);
const value = fc.oneof(
  fc.constantFrom("CA0123456789abcdef0123456789abcdef", "+32470111222", "1", "completed", ""),
  fc.string({ maxLength: 40 }),
  fc.stringMatching(/^[%+&=\w]{0,20}$/),
);
const callSid = fc
  .uint8Array({ minLength: 16, maxLength: 16 })
  .map((b) => `CA${Buffer.from(b).toString("hex")}`);
const body = fc.oneof(
  fc.array(fc.tuple(name, value), { maxLength: 12 }).map((pairs) => ({
    kind: "form" as const,
    pairs,
  })),
  // Call-like: a real CallSid and random other fields, which a signed request gets through.
  fc.tuple(callSid, fc.array(fc.tuple(name, value), { maxLength: 8 })).map(([sid, pairs]) => ({
    kind: "form" as const,
    pairs: [["CallSid", sid] as [string, string], ...pairs.filter(([k]) => k !== "CallSid")],
  })),
  fc
    .integer({ min: 65_537, max: 200_000 })
    .map((n) => ({ kind: "text" as const, text: "x".repeat(n) })),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ kind: "bytes" as const, bytes })),
  fc.string({ maxLength: 200 }).map((text) => ({ kind: "text" as const, text })),
);
const contentType = fc.oneof(
  fc.constant("application/x-www-form-urlencoded"),
  fc.constant("application/x-www-form-urlencoded; charset=UTF-8"),
  fc.constantFrom("application/json", "text/plain", ""),
  fc.string({ maxLength: 30 }),
);
const signature = fc.oneof(
  fc.constant({ kind: "valid" as const }),
  fc.constant({ kind: "none" as const }),
  fc.string({ maxLength: 40 }).map((s) => ({ kind: "random" as const, s })),
);

describe("phone webhooks under fuzzed requests", () => {
  it("answer 200 only to signed, well-formed calls, else a 4xx with a JSON error; never 5xx", async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        body,
        contentType,
        signature,
        async (route, b, type, sig) => {
          const payload =
            b.kind === "form"
              ? new URLSearchParams(b.pairs).toString()
              : b.kind === "bytes"
                ? Buffer.from(b.bytes)
                : b.text;
          const headers: Record<string, string> = {};
          if (type !== "") headers["content-type"] = type;
          if (sig.kind === "valid" && b.kind === "form") {
            // What the adapter will parse: the decoded form, as Twilio would have signed it.
            const decoded = [...new URLSearchParams(new URLSearchParams(b.pairs).toString())];
            const url = `${PUBLIC}${route}`;
            const params = Object.fromEntries(decoded);
            // Repeated names: the independent signer takes one value per name, so only sign
            // bodies without repeats (others stay unsigned and must be refused).
            if (Object.keys(params).length === decoded.length) {
              headers["x-twilio-signature"] = await signTwilio(AUTH_TOKEN, url, params);
            }
          } else if (sig.kind === "random") {
            headers["x-twilio-signature"] = sig.s.replace(/[^\x20-\x7e]/g, "");
          }
          const res = await fetch(`${stack.httpUrl}${route}`, {
            method: "POST",
            headers,
            body: payload,
          });
          const text = await res.text();
          seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
          expect(res.status).toBeLessThan(500);
          if (res.status === 200) {
            expect(headers["x-twilio-signature"]).toBeDefined();
            expect(text).toMatch(/^<\?xml[^>]*\?><Response>/);
          } else {
            expect([400, 403, 413, 415]).toContain(res.status);
            expect((JSON.parse(text) as { error?: unknown }).error).toEqual(expect.any(String));
          }
        },
      ),
      { numRuns: 150 },
    );
    // The generators reached every refusal and some successes.
    expect([...seen.keys()].sort()).toEqual(expect.arrayContaining([200, 400, 403, 413, 415]));
    expect((await fetch(`${stack.httpUrl}/healthz`)).status).toBe(200);
  });
});
