/**
 * What the phone adapter needs from a voice provider (Twilio today; a SIP PBX tomorrow). The
 * call flow (IVR, hold loop, callbacks, bookkeeping) speaks only these neutral types: a
 * provider turns its webhooks into `CallWebhook`s, renders `CallInstruction`s in its own
 * call-control language (TwiML for Twilio) and drives calls through its own API.
 */
export interface VoiceProvider {
  /** Short name for logs and metrics, e.g. "twilio". */
  readonly name: string;
  /**
   * Is this webhook really from the provider? `url` is the public URL the provider called
   * (signatures cover it). Never throws.
   */
  verify(request: WebhookRequest): VerifyResult;
  /** The call facts of a verified webhook, or the first missing/invalid field. Never throws. */
  parse(
    params: readonly FormParam[],
  ): CallWebhook | { readonly invalidField: string; readonly description: string };
  /** Call-control instructions as an HTTP answer body. */
  render(instructions: readonly CallInstruction[]): {
    readonly contentType: string;
    readonly body: string;
  };
  /** Starts an outbound call; `answerUrl` answers with instructions once it is picked up. */
  placeCall(call: OutboundCall): Promise<{ readonly callId: string }>;
  /** Moves a live call to the instructions at `url` (it stops whatever it was playing). */
  redirectCall(callId: string, url: string): Promise<void>;
}

/** One `name=value` of a form body, in arrival order (names may repeat). */
export type FormParam = readonly [name: string, value: string];

export interface WebhookRequest {
  readonly url: string;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly params: readonly FormParam[];
}

export type VerifyResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: "missing" | "invalid" };

/** The provider-neutral facts of one call webhook. */
export interface CallWebhook {
  /** The provider's id of this call leg (Twilio CallSid). */
  readonly callId: string;
  /** The caller as given (E.164 for phones, else e.g. "anonymous", "client:x"). */
  readonly from: string;
  /** The dialled number or address. */
  readonly to: string;
  /** Keys pressed in a gather, if any. */
  readonly digits?: string;
  /** Neutral call status, when the webhook reports one. */
  readonly status?: CallStatus;
}

/**
 * queued/ringing: not answered yet; in-progress: answered; the rest are final. Twilio's
 * CallStatus values, which are also what most providers report.
 */
export type CallStatus =
  | "queued"
  | "ringing"
  | "in-progress"
  | "completed"
  | "busy"
  | "no-answer"
  | "failed"
  | "canceled";

export const FINAL_STATUSES: ReadonlySet<CallStatus> = new Set([
  "completed",
  "busy",
  "no-answer",
  "failed",
  "canceled",
]);

export interface OutboundCall {
  readonly to: string;
  readonly from: string;
  readonly answerUrl: string;
  readonly statusUrl: string;
}

/** Who an agent's leg rings: a softphone identity, or a phone number. */
export type DialTarget = { readonly client: string } | { readonly number: string };

/** A provider-neutral call-control step. Nested prompts play inside a gather. */
export type CallInstruction =
  | { readonly kind: "say"; readonly text: string; readonly voiceLanguage: string }
  | { readonly kind: "play"; readonly url: string }
  | { readonly kind: "pause"; readonly seconds: number }
  | {
      readonly kind: "gather";
      readonly action: string;
      readonly numDigits: number;
      readonly timeoutSeconds: number;
      readonly prompts: readonly (
        | { readonly kind: "say"; readonly text: string; readonly voiceLanguage: string }
        | { readonly kind: "play"; readonly url: string }
        | { readonly kind: "pause"; readonly seconds: number }
      )[];
    }
  | { readonly kind: "redirect"; readonly url: string }
  | {
      readonly kind: "dial";
      readonly target: DialTarget;
      /** Receives the agent leg's answered/completed status. */
      readonly statusUrl: string;
      readonly callerId?: string;
    }
  | { readonly kind: "hangup" };

/** A provider's API answered with an error: `retryable` for 5xx and network failures. */
export class ProviderApiError extends Error {
  constructor(
    message: string,
    readonly operation: "place_call" | "redirect_call",
    readonly kind: "http_4xx" | "http_5xx" | "network",
    readonly status?: number,
  ) {
    super(message);
    this.name = "ProviderApiError";
  }
}
