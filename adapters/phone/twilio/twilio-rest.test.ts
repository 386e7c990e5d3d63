import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../../core/index.js";
import { type FakeTwilioApi, startFakeTwilioApi } from "../phone-test-kit.js";
import { ProviderApiError } from "../voice-provider.js";
import { createTwilioRest } from "./twilio-rest.js";

const SID = `AC${"1".repeat(32)}`;
let api: FakeTwilioApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

function client(apiUrl: string, failed: ProviderApiError[] = []) {
  return createTwilioRest({
    apiUrl,
    accountSid: SID,
    authToken: "tok",
    logger: createLogger({ level: "silent" }),
    retryDelaysMs: [1, 1],
    onAttemptFailed: (e) => failed.push(e),
  });
}

describe("Twilio REST client", () => {
  it("posts the form with basic auth and returns the new call's sid", async () => {
    api = await startFakeTwilioApi();
    const sid = await client(api.url).createCall([
      ["To", "+32470111222"],
      ["StatusCallbackEvent", "initiated"],
      ["StatusCallbackEvent", "answered"],
    ]);
    expect(sid).toMatch(/^CA[0-9a-f]{32}$/);
    const [request] = api.requests;
    expect(request?.path).toBe(`/2010-04-01/Accounts/${SID}/Calls.json`);
    expect(request?.authorization).toBe(`Basic ${Buffer.from(`${SID}:tok`).toString("base64")}`);
    expect(request?.form.get("To")).toBe("+32470111222");
    expect(request?.form.getAll("StatusCallbackEvent")).toEqual(["initiated", "answered"]);
  });

  it("retries 5xx a bounded number of times, never 4xx", async () => {
    api = await startFakeTwilioApi();
    const failed: ProviderApiError[] = [];
    api.failNext(2, 502);
    await client(api.url, failed).updateCall("CA1", [["Url", "https://x/voice/connect"]]);
    expect(api.requests).toHaveLength(3);
    expect(failed.map((e) => e.kind)).toEqual(["http_5xx", "http_5xx"]);

    api.failNext(3, 500);
    await expect(client(api.url).updateCall("CA1", [])).rejects.toMatchObject({
      kind: "http_5xx",
      status: 500,
    });
    expect(api.requests).toHaveLength(6);

    api.failNext(1, 404);
    await expect(client(api.url).updateCall("CA1", [])).rejects.toMatchObject({
      kind: "http_4xx",
      status: 404,
      operation: "redirect_call",
    });
    expect(api.requests).toHaveLength(7);
  });

  it("treats an unreachable API as a network error, retried then thrown", async () => {
    api = await startFakeTwilioApi();
    const url = api.url;
    await api.close();
    api = undefined;
    const failed: ProviderApiError[] = [];
    const err = await client(url, failed)
      .createCall([])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderApiError);
    expect(err).toMatchObject({ kind: "network", operation: "place_call" });
    expect(failed).toHaveLength(3);
  });
});
