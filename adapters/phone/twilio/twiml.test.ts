import { describe, expect, it } from "vitest";
import { parseTwiml } from "../phone-test-kit.js";
import { renderTwiml } from "./twiml.js";

describe("TwiML rendering", () => {
  it("renders every instruction as the verb Twilio documents, nesting prompts in <Gather>", () => {
    const xml = renderTwiml([
      {
        kind: "gather",
        action: "https://x.example/voice/menu?a=1&b=2",
        numDigits: 1,
        timeoutSeconds: 6,
        prompts: [
          { kind: "say", text: "Press 1", voiceLanguage: "en-GB" },
          { kind: "play", url: "https://cdn.example/m.mp3" },
          { kind: "pause", seconds: 2.4 },
        ],
      },
      { kind: "redirect", url: "https://x.example/voice/menu" },
      {
        kind: "dial",
        target: { client: "anna" },
        statusUrl: "https://x.example/voice/status?leg=agent&contact=c1",
      },
      {
        kind: "dial",
        target: { number: "+32470000001" },
        statusUrl: "https://x/s",
        callerId: "+3220000000",
      },
      { kind: "hangup" },
    ]);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?><Response>')).toBe(true);
    const verbs = parseTwiml(xml);
    expect(verbs.map((v) => v.name)).toEqual(["Gather", "Redirect", "Dial", "Dial", "Hangup"]);
    const [gather, redirect, dialClient, dialNumber] = verbs;
    expect(gather?.attrs).toEqual({
      input: "dtmf",
      action: "https://x.example/voice/menu?a=1&b=2",
      method: "POST",
      numDigits: "1",
      timeout: "6",
    });
    expect(gather?.children.map((c) => [c.name, c.text, c.attrs])).toEqual([
      ["Say", "Press 1", { language: "en-GB" }],
      ["Play", "https://cdn.example/m.mp3", {}],
      ["Pause", "", { length: "2" }],
    ]);
    expect(redirect).toMatchObject({
      text: "https://x.example/voice/menu",
      attrs: { method: "POST" },
    });
    expect(dialClient?.children[0]).toMatchObject({
      name: "Client",
      text: "anna",
      attrs: {
        statusCallbackEvent: "answered completed",
        statusCallback: "https://x.example/voice/status?leg=agent&contact=c1",
        statusCallbackMethod: "POST",
      },
    });
    expect(dialNumber?.attrs.callerId).toBe("+3220000000");
    expect(dialNumber?.children[0]).toMatchObject({ name: "Number", text: "+32470000001" });
  });

  it("escapes configured texts and URLs", () => {
    const nasty = `Tom & Jerry's <"shop">`;
    const xml = renderTwiml([
      { kind: "say", text: nasty, voiceLanguage: 'en"-US' },
      { kind: "redirect", url: "https://x/a?b=1&c=<2>" },
    ]);
    expect(xml).not.toContain('<"shop">');
    const [say, redirect] = parseTwiml(xml);
    expect(say?.attrs.language).toBe('en"-US');
    expect(redirect?.text).toBe("https://x/a?b=1&c=<2>");
    // The parser decodes entities in text; the text round-trips.
    expect(say?.text).toBe(nasty);
  });
});
