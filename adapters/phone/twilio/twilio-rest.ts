import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../../../core/index.js";
import { ProviderApiError } from "../voice-provider.js";

export interface TwilioRestOptions {
  /** e.g. https://api.twilio.com (no trailing slash needed). */
  readonly apiUrl: string;
  readonly accountSid: string;
  readonly authToken: string;
  readonly logger: Logger;
  /** Waits before the 2nd, 3rd… attempt on 5xx or network errors. Default [250, 1000, 3000]. */
  readonly retryDelaysMs?: readonly number[];
  /** Per attempt. Default 5000. */
  readonly timeoutMs?: number;
  /** Aborts waits and requests on shutdown. */
  readonly signal?: AbortSignal;
  /** Called for every failed attempt (metrics). */
  readonly onAttemptFailed?: (error: ProviderApiError) => void;
}

export interface TwilioRest {
  /** POST /2010-04-01/Accounts/{sid}/Calls.json → the new call's sid. */
  createCall(fields: readonly (readonly [string, string])[]): Promise<string>;
  /** POST /2010-04-01/Accounts/{sid}/Calls/{callSid}.json (redirect or end a live call). */
  updateCall(callSid: string, fields: readonly (readonly [string, string])[]): Promise<void>;
}

/**
 * Twilio's REST API for the two call operations the adapter needs, with HTTP basic auth
 * (account sid : auth token) and a bounded retry with growing delays on 5xx answers and
 * network errors (4xx are final: the call is gone or the request is wrong). Logs carry call
 * sids and statuses only, never phone numbers.
 */
export function createTwilioRest(options: TwilioRestOptions): TwilioRest {
  const base = `${options.apiUrl.replace(/\/+$/, "")}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}`;
  const auth = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString("base64")}`;
  const delays = options.retryDelaysMs ?? [250, 1000, 3000];
  const timeoutMs = options.timeoutMs ?? 5000;
  const logger = options.logger;

  const post = async (
    operation: "place_call" | "redirect_call",
    path: string,
    fields: readonly (readonly [string, string])[],
  ): Promise<unknown> => {
    const body = new URLSearchParams(fields.map(([k, v]): [string, string] => [k, v])).toString();
    for (let attempt = 0; ; attempt++) {
      let failure: ProviderApiError;
      try {
        const signals = [AbortSignal.timeout(timeoutMs)];
        if (options.signal !== undefined) signals.push(options.signal);
        const res = await fetch(`${base}${path}`, {
          method: "POST",
          headers: {
            authorization: auth,
            "content-type": "application/x-www-form-urlencoded",
            accept: "application/json",
          },
          body,
          signal: AbortSignal.any(signals),
        });
        const text = await res.text();
        if (res.ok) {
          try {
            return JSON.parse(text) as unknown;
          } catch {
            return {};
          }
        }
        failure = new ProviderApiError(
          `Twilio ${operation} answered HTTP ${res.status}`,
          operation,
          res.status >= 500 ? "http_5xx" : "http_4xx",
          res.status,
        );
      } catch (err) {
        failure = new ProviderApiError(
          `Twilio ${operation} failed: ${err instanceof Error ? err.message : String(err)}`,
          operation,
          "network",
        );
      }
      options.onAttemptFailed?.(failure);
      const delay = delays[attempt];
      if (failure.kind === "http_4xx" || delay === undefined || options.signal?.aborted) {
        throw failure;
      }
      logger.warn(
        { operation, attempt: attempt + 1, kind: failure.kind, status: failure.status },
        "voice provider API call failed; retrying",
      );
      await sleep(delay, undefined, options.signal ? { signal: options.signal } : {}).catch(() => {
        throw failure;
      });
    }
  };

  return {
    async createCall(fields) {
      const answer = await post("place_call", "/Calls.json", fields);
      const sid = (answer as { sid?: unknown }).sid;
      return typeof sid === "string" ? sid : "";
    },
    async updateCall(callSid, fields) {
      await post("redirect_call", `/Calls/${encodeURIComponent(callSid)}.json`, fields);
    },
  };
}
