import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isFrameError, MAX_TEXT_LENGTH, parseClientFrame } from "./chat-frames.js";

describe("parseClientFrame", () => {
  it("accepts the documented frames", () => {
    expect(parseClientFrame('{"type":"message","text":"hi","id":"a-1"}')).toEqual({
      type: "message",
      text: "hi",
      id: "a-1",
    });
    expect(parseClientFrame('{"type":"typing","typing":false}')).toEqual({
      type: "typing",
      typing: false,
    });
    expect(parseClientFrame('{"type":"csat","score":5}')).toEqual({ type: "csat", score: 5 });
    expect(parseClientFrame('{"type":"transcript"}')).toEqual({ type: "transcript" });
    expect(parseClientFrame('{"type":"leave","extra":1}')).toEqual({ type: "leave" });
  });

  it("names what is wrong", () => {
    expect(parseClientFrame("{")).toMatchObject({ code: "bad_json" });
    expect(parseClientFrame("null")).toMatchObject({ code: "bad_frame", field: "type" });
    expect(parseClientFrame('{"type":1}')).toMatchObject({ code: "bad_frame", field: "type" });
    expect(parseClientFrame('{"type":"x"}')).toMatchObject({ code: "unknown_type" });
    expect(parseClientFrame('{"type":"message","text":"   "}')).toMatchObject({
      code: "invalid_field",
      field: "text",
    });
    const long = JSON.stringify({ type: "message", text: "x".repeat(MAX_TEXT_LENGTH + 1) });
    expect(parseClientFrame(long)).toMatchObject({ code: "invalid_field", field: "text" });
    expect(parseClientFrame('{"type":"csat","score":2.5}')).toMatchObject({ field: "score" });
  });

  it("never throws, whatever arrives (fuzzed strings and JSON values)", () => {
    const check = (text: string) => {
      const frame = parseClientFrame(text);
      if (isFrameError(frame)) expect(frame.message).not.toBe("");
      else expect(["message", "typing", "transcript", "csat", "leave"]).toContain(frame.type);
    };
    fc.assert(fc.property(fc.string(), check), { numRuns: 500 });
    fc.assert(fc.property(fc.json(), check), { numRuns: 500 });
    const typed = fc.record({
      type: fc.constantFrom("message", "typing", "csat", "transcript", "leave", "other"),
      text: fc.anything(),
      typing: fc.anything(),
      score: fc.anything(),
      id: fc.anything(),
    });
    fc.assert(
      fc.property(typed, (value) => {
        let text: string;
        try {
          text = JSON.stringify(value);
        } catch {
          return; // BigInt and friends: not JSON, nothing a socket could carry
        }
        if (text !== undefined) check(text);
      }),
      { numRuns: 500 },
    );
  });
});
