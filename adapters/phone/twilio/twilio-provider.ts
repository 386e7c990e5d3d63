import type { Logger } from "../../../core/index.js";
import type {
  CallStatus,
  CallWebhook,
  ProviderApiError,
  VerifyResult,
  VoiceProvider,
} from "../voice-provider.js";
import { createTwilioRest } from "./twilio-rest.js";
import { twilioSignatureMatches } from "./twilio-signature.js";
import { renderTwiml } from "./twiml.js";

export interface TwilioProviderOptions {
  readonly authToken: string;
  /** Needed only for outbound calls and live-call redirects. */
  readonly accountSid?: string;
  readonly apiUrl: string;
  readonly logger: Logger;
  readonly retryDelaysMs?: readonly number[];
  readonly signal?: AbortSignal;
  readonly onApiError?: (error: ProviderApiError) => void;
}

// CallSid: "CA" + 32 hex digits (Twilio's documented sid format).
const CALL_SID = /^CA[0-9a-fA-F]{32}$/;
const STATUSES: ReadonlySet<string> = new Set<CallStatus>([
  "queued",
  "ringing",
  "in-progress",
  "completed",
  "busy",
  "no-answer",
  "failed",
  "canceled",
]);
const ALIASES: Readonly<Record<string, CallStatus>> = {
  initiated: "queued",
  answered: "in-progress",
};
const MAX_FIELD = 256;

/** Twilio Programmable Voice: X-Twilio-Signature webhooks, TwiML, the 2010-04-01 REST API. */
export function createTwilioProvider(options: TwilioProviderOptions): VoiceProvider {
  const rest =
    options.accountSid === undefined
      ? undefined
      : createTwilioRest({
          apiUrl: options.apiUrl,
          accountSid: options.accountSid,
          authToken: options.authToken,
          logger: options.logger,
          ...(options.retryDelaysMs === undefined ? {} : { retryDelaysMs: options.retryDelaysMs }),
          ...(options.signal === undefined ? {} : { signal: options.signal }),
          ...(options.onApiError === undefined ? {} : { onAttemptFailed: options.onApiError }),
        });
  const needRest = () => {
    if (rest === undefined) {
      throw new Error("--twilio-account-sid is not set: outbound calls and redirects are off");
    }
    return rest;
  };

  return {
    name: "twilio",

    verify(request): VerifyResult {
      const header = request.headers["x-twilio-signature"];
      const value = Array.isArray(header) ? header[0] : header;
      if (value === undefined || value === "") return { ok: false, reason: "missing" };
      return twilioSignatureMatches(options.authToken, request.url, request.params, value)
        ? { ok: true }
        : { ok: false, reason: "invalid" };
    },

    parse(params) {
      const get = (name: string) => params.find(([k]) => k === name)?.[1];
      const callId = get("CallSid");
      if (callId === undefined || !CALL_SID.test(callId)) {
        return { invalidField: "CallSid", description: 'required: "CA" and 32 hex digits' };
      }
      const from = get("From") ?? "";
      const to = get("To") ?? "";
      if (from.length > MAX_FIELD) return { invalidField: "From", description: "too long" };
      if (to.length > MAX_FIELD) return { invalidField: "To", description: "too long" };
      const call: { -readonly [K in keyof CallWebhook]: CallWebhook[K] } = { callId, from, to };
      const digits = get("Digits");
      if (digits !== undefined) {
        if (!/^[0-9*#]{0,32}$/.test(digits)) {
          return { invalidField: "Digits", description: "0–32 of 0-9, * and #" };
        }
        call.digits = digits;
      }
      const status = get("CallStatus");
      if (status !== undefined) {
        if (!/^[a-z-]{1,32}$/.test(status)) {
          return { invalidField: "CallStatus", description: "not a Twilio call status" };
        }
        // Event names some callbacks report as the status; other new values are not final.
        const known = ALIASES[status] ?? status;
        if (STATUSES.has(known)) call.status = known as CallStatus;
      }
      return call;
    },

    render(instructions) {
      return { contentType: "text/xml; charset=utf-8", body: renderTwiml(instructions) };
    },

    async placeCall(call) {
      const callId = await needRest().createCall([
        ["To", call.to],
        ["From", call.from],
        ["Url", call.answerUrl],
        ["Method", "POST"],
        ["StatusCallback", call.statusUrl],
        ["StatusCallbackMethod", "POST"],
        ["StatusCallbackEvent", "initiated"],
        ["StatusCallbackEvent", "ringing"],
        ["StatusCallbackEvent", "answered"],
        ["StatusCallbackEvent", "completed"],
      ]);
      return { callId };
    },

    async redirectCall(callId, url) {
      await needRest().updateCall(callId, [
        ["Url", url],
        ["Method", "POST"],
      ]);
    },
  };
}
