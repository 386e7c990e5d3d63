import type { CallInstruction } from "../voice-provider.js";

/**
 * Neutral call instructions → a TwiML document (https://www.twilio.com/docs/voice/twiml):
 * <Say>, <Play>, <Pause>, <Gather> (dtmf, with nested prompts), <Redirect>, <Dial> with one
 * <Client> or <Number> (answered/completed status callbacks), <Hangup>. Every text and
 * attribute is XML-escaped: prompt texts come from configuration.
 */
export function renderTwiml(instructions: readonly CallInstruction[]): string {
  const body = instructions.map(verb).join("");
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;
}

function verb(i: CallInstruction): string {
  switch (i.kind) {
    case "say":
      return `<Say language="${attr(i.voiceLanguage)}">${text(i.text)}</Say>`;
    case "play":
      return `<Play>${text(i.url)}</Play>`;
    case "pause":
      return `<Pause length="${Math.max(1, Math.round(i.seconds))}"/>`;
    case "gather":
      return (
        `<Gather input="dtmf" action="${attr(i.action)}" method="POST" numDigits="${i.numDigits}" ` +
        `timeout="${Math.max(1, Math.round(i.timeoutSeconds))}">` +
        i.prompts.map(verb).join("") +
        "</Gather>"
      );
    case "redirect":
      return `<Redirect method="POST">${text(i.url)}</Redirect>`;
    case "dial": {
      const callback =
        `statusCallbackEvent="answered completed" statusCallback="${attr(i.statusUrl)}" ` +
        `statusCallbackMethod="POST"`;
      const noun =
        "client" in i.target
          ? `<Client ${callback}>${text(i.target.client)}</Client>`
          : `<Number ${callback}>${text(i.target.number)}</Number>`;
      const callerId = i.callerId === undefined ? "" : ` callerId="${attr(i.callerId)}"`;
      return `<Dial${callerId}>${noun}</Dial>`;
    }
    case "hangup":
      return "<Hangup/>";
  }
}

function text(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function attr(value: string): string {
  return text(value).replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}
