import { afterEach, describe, expect, it } from "vitest";
import { decodeContactCommand, pipelineFilters } from "../../core/index.js";
import { type Stack, startStack } from "../../test/stack/index.js";
import { startPhoneAdapter } from "./index.js";
import { AUTH_TOKEN, newCallSid, signTwilio, twilioClient } from "./phone-test-kit.js";

const PUBLIC = "https://voice.example.test/";
const ROUTES = [
  "/voice/incoming",
  "/voice/language",
  "/voice/menu",
  "/voice/hold",
  "/voice/hold-choice",
  "/voice/connect",
  "/voice/callback-answer",
  "/voice/status",
];

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function start(argv: string[]) {
  stack = await startStack({ adapters: [startPhoneAdapter], argv });
  const submits: string[] = [];
  await stack.bus.subscribe(pipelineFilters.contactCommands(stack.bus.subjects), (m) => {
    const c = decodeContactCommand(m.data).command;
    if (c.case === "submit") submits.push(c.value.idempotencyKey);
  });
  return { stack, submits };
}

const params = (callSid: string, extra: Record<string, string> = {}) => ({
  CallSid: callSid,
  From: "+32470111222",
  To: "+3220000000",
  CallStatus: "ringing",
  ...extra,
});

async function raw(url: string, init: RequestInit) {
  const res = await fetch(url, init);
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get("content-type") ?? "",
    json: res.headers.get("content-type")?.includes("json")
      ? (JSON.parse(text) as { error: string; field?: string })
      : undefined,
  };
}

const FORM = { "content-type": "application/x-www-form-urlencoded" };

describe("phone webhooks: signatures and request hygiene", () => {
  it("valid signature → TwiML; missing, forged or over another URL → 403 and nothing created", async () => {
    const { stack, submits } = await start([
      "--twilio-auth-token",
      AUTH_TOKEN,
      "--public-url",
      PUBLIC,
    ]);
    // The configured URL ends in "/": the signed URL has no double slash.
    const post = twilioClient(stack.httpUrl, PUBLIC.slice(0, -1));
    const state = stack.store.forTenant("default").channelState;

    const forgedSid = newCallSid();
    for (const kind of ["missing", "forged"] as const) {
      for (const route of ["/voice/incoming", "/voice/menu"]) {
        const answer = await post(route, params(forgedSid, { Digits: "1" }), kind);
        expect(answer.status).toBe(403);
        expect(JSON.parse(answer.body)).toMatchObject({ field: "X-Twilio-Signature" });
      }
    }
    // Signed for the gateway's own address, not the public URL the provider is configured with.
    const local = twilioClient(stack.httpUrl, stack.httpUrl);
    expect((await local("/voice/menu", params(forgedSid, { Digits: "1" }))).status).toBe(403);
    // A parameter added after signing.
    const signed = await signTwilio(AUTH_TOKEN, `${PUBLIC}voice/menu`, params(forgedSid));
    const smuggled = await raw(`${stack.httpUrl}/voice/menu`, {
      method: "POST",
      headers: { ...FORM, "x-twilio-signature": signed },
      body: new URLSearchParams(params(forgedSid, { Digits: "1" })).toString(),
    });
    expect(smuggled.status).toBe(403);
    expect(await state.get("phone-call", forgedSid)).toBeUndefined();

    const goodSid = newCallSid();
    const ok = await post("/voice/incoming", params(goodSid));
    expect(ok.status).toBe(200);
    expect(ok.contentType).toMatch(/^text\/xml/);
    expect(ok.verbs[0]?.name).toBe("Gather");
    expect(await state.get("phone-call", goodSid)).toBeDefined();
    expect((await post("/voice/menu", params(goodSid, { Digits: "1" }))).status).toBe(200);
    expect(submits).toEqual([goodSid]);

    const metrics = await (await fetch(`${stack.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /switchboard_phone_signature_failures_total\{reason="missing"[^}]*\} 2/,
    );
    expect(metrics).toMatch(
      /switchboard_phone_signature_failures_total\{reason="invalid"[^}]*\} 4/,
    );
  });

  it("refuses wrong methods (405), content types (415), large (413), malformed (400) and incomplete (400) bodies with a JSON error", async () => {
    const { stack, submits } = await start([
      "--twilio-auth-token",
      AUTH_TOKEN,
      "--public-url",
      PUBLIC,
    ]);
    const url = `${stack.httpUrl}/voice/incoming`;
    expect((await raw(url, { method: "GET" })).status).toBe(405);
    const json = await raw(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(params(newCallSid())),
    });
    expect(json).toMatchObject({ status: 415, json: { field: "content-type" } });
    const big = await raw(url, {
      method: "POST",
      headers: FORM,
      body: `CallSid=${newCallSid()}&Pad=${"x".repeat(70_000)}`,
    });
    expect(big.status).toBe(413);
    expect(big.json?.error).toMatch(/larger than 65536/);
    const malformed = await raw(url, { method: "POST", headers: FORM, body: "CallSid=%ZZ&From=%" });
    expect(malformed).toMatchObject({
      status: 400,
      json: { error: expect.stringMatching(/percent/) },
    });
    const notUtf8 = await raw(url, {
      method: "POST",
      headers: FORM,
      body: Buffer.from([0x43, 0x3d, 0xff, 0xfe]),
    });
    expect(notUtf8.status).toBe(400);
    // Correctly signed, but no usable CallSid: the field is named.
    const body = { From: "+32470111222", CallSid: "not-a-sid" };
    const signature = await signTwilio(AUTH_TOKEN, `${PUBLIC}voice/incoming`, body);
    const incomplete = await raw(url, {
      method: "POST",
      headers: { ...FORM, "x-twilio-signature": signature },
      body: new URLSearchParams(body).toString(),
    });
    expect(incomplete).toMatchObject({ status: 400, json: { field: "CallSid" } });
    expect((await raw(`${stack.httpUrl}/voice/nope`, { method: "POST" })).status).toBe(404);
    expect(submits).toEqual([]);
    // Still serving.
    expect((await fetch(`${stack.httpUrl}/healthz`)).status).toBe(200);
  });

  it("without --twilio-auth-token every voice webhook answers 503 with the reason", async () => {
    const { stack } = await start([]);
    for (const route of ROUTES) {
      const answer = await raw(`${stack.httpUrl}${route}`, {
        method: "POST",
        headers: FORM,
        body: new URLSearchParams(params(newCallSid())).toString(),
      });
      expect(answer.status).toBe(503);
      expect(answer.json?.error).toMatch(/--twilio-auth-token/);
    }
  });

  it("without --public-url the signed URL is http://<Host header><path>", async () => {
    const { stack } = await start(["--twilio-auth-token", AUTH_TOKEN]);
    const post = twilioClient(stack.httpUrl, stack.httpUrl);
    const answer = await post("/voice/incoming", params(newCallSid()));
    expect(answer.status).toBe(200);
    const gather = answer.verbs[0];
    // Later URLs in the TwiML use the same base.
    expect(gather?.attrs.action).toBe(`${stack.httpUrl}/voice/menu`);
  });
});
