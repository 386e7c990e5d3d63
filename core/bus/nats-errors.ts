import { ErrorCode as NatsCode, NatsError } from "nats";
import { type ErrorCode, SwitchboardError } from "../errors.js";

/** JetStream API error codes we act on (nats-server's errors.json). */
export const JsApiCode = {
  streamNotFound: 10059,
  consumerNotFound: 10014,
} as const;

// No answer, no connection, or nobody serving JetStream yet: the caller may retry later.
const unavailable = new Set<string>([
  NatsCode.Timeout,
  NatsCode.NoResponders,
  NatsCode.ConnectionClosed,
  NatsCode.ConnectionDraining,
  NatsCode.ConnectionRefused,
  NatsCode.ConnectionTimeout,
  NatsCode.Disconnect,
  NatsCode.RequestError,
]);

/** The JetStream API error code of a failed call, if it was one. */
export function apiErrorCode(error: unknown): number | undefined {
  return error instanceof NatsError ? error.api_error?.err_code : undefined;
}

/** Maps a nats.js failure to our one error type, keeping it as the cause. */
export function fromNatsError(error: unknown, what: string): SwitchboardError {
  if (error instanceof SwitchboardError) return error;
  let code: ErrorCode = "INTERNAL";
  if (error instanceof NatsError) {
    const api = apiErrorCode(error);
    if (api === JsApiCode.streamNotFound || api === JsApiCode.consumerNotFound) code = "NOT_FOUND";
    else if (api !== undefined) code = "FAILED_PRECONDITION";
    else if (unavailable.has(error.code)) code = "UNAVAILABLE";
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new SwitchboardError(code, `${what}: ${detail}`, { cause: error });
}
