import { setTimeout as delay } from "node:timers/promises";
import { HarnessError } from "./harness-error.js";

export interface WaitForOptions {
  /** Give up after this long; the last probe error becomes the `cause`. */
  readonly timeoutMs: number;
  /** Pause between failed probes. Short, because servers here start in tens of milliseconds. */
  readonly intervalMs?: number;
  /** Used in the timeout message, e.g. "nats-server on port 40123 to accept JetStream calls". */
  readonly what: string;
  /** Returns a reason to stop retrying at once (e.g. the process exited); undefined to go on. */
  readonly giveUp?: () => string | undefined;
}

const defaultIntervalMs = 20;

/**
 * Calls `probe` until it resolves, a deadline passes or `giveUp` says there is no point.
 * Readiness is observed, never assumed after a fixed sleep.
 */
export async function waitFor<T>(probe: () => Promise<T>, options: WaitForOptions): Promise<T> {
  const deadline = performance.now() + options.timeoutMs;
  const intervalMs = options.intervalMs ?? defaultIntervalMs;
  let lastError: unknown;
  for (;;) {
    const reason = options.giveUp?.();
    if (reason !== undefined) {
      throw new HarnessError("start-failed", `gave up waiting for ${options.what}: ${reason}`, {
        cause: lastError,
      });
    }
    try {
      return await probe();
    } catch (error) {
      lastError = error;
    }
    if (performance.now() + intervalMs > deadline) {
      throw new HarnessError(
        "start-failed",
        `timed out after ${options.timeoutMs} ms waiting for ${options.what}`,
        { cause: lastError },
      );
    }
    await delay(intervalMs);
  }
}

/**
 * Polls a condition until it holds (e.g. "the stream has seen 3 messages", or an async read
 * such as "the record's last event is COMPLETED"; a promise is awaited, never taken as true).
 */
export function waitUntil(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  return waitFor(
    async () => {
      if (!(await condition())) throw new Error("not yet");
    },
    { timeoutMs, what, intervalMs: 5 },
  );
}
