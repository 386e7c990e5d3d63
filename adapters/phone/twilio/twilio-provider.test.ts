import { describe, expect, it } from "vitest";
import { createLogger } from "../../../core/index.js";
import { createTwilioProvider } from "./twilio-provider.js";

const provider = createTwilioProvider({
  authToken: "t",
  apiUrl: "http://127.0.0.1:9",
  logger: createLogger({ level: "silent" }),
});
const SID = "CA0123456789abcdef0123456789ABCDEF";

describe("Twilio webhook parameters", () => {
  it("takes CallSid, From, To, Digits and CallStatus", () => {
    expect(
      provider.parse([
        ["CallSid", SID],
        ["From", "+32470111222"],
        ["To", "+3220000000"],
        ["Digits", "2"],
        ["CallStatus", "in-progress"],
        ["Unknown", "kept out"],
      ]),
    ).toEqual({
      callId: SID,
      from: "+32470111222",
      to: "+3220000000",
      digits: "2",
      status: "in-progress",
    });
  });

  it("names the first bad field", () => {
    expect(provider.parse([])).toMatchObject({ invalidField: "CallSid" });
    expect(provider.parse([["CallSid", "CA123"]])).toMatchObject({ invalidField: "CallSid" });
    expect(provider.parse([["CallSid", `CA${"g".repeat(32)}`]])).toMatchObject({
      invalidField: "CallSid",
    });
    expect(
      provider.parse([
        ["CallSid", SID],
        ["Digits", "12a"],
      ]),
    ).toMatchObject({
      invalidField: "Digits",
    });
    expect(
      provider.parse([
        ["CallSid", SID],
        ["From", "x".repeat(300)],
      ]),
    ).toMatchObject({
      invalidField: "From",
    });
    expect(
      provider.parse([
        ["CallSid", SID],
        ["CallStatus", "<script>"],
      ]),
    ).toMatchObject({
      invalidField: "CallStatus",
    });
  });

  it("maps event-named statuses, ignores statuses it does not know", () => {
    const status = (value: string) => {
      const call = provider.parse([
        ["CallSid", SID],
        ["CallStatus", value],
      ]);
      return "invalidField" in call ? call : call.status;
    };
    expect(status("answered")).toBe("in-progress");
    expect(status("initiated")).toBe("queued");
    expect(status("no-answer")).toBe("no-answer");
    expect(status("some-new-status")).toBeUndefined();
  });

  it("refuses provider API calls without an account sid", async () => {
    await expect(provider.redirectCall(SID, "https://x.example/voice/connect")).rejects.toThrow(
      /--twilio-account-sid/,
    );
  });
});
