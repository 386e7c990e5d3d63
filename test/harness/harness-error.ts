/**
 * Why a harness operation failed. Tests branch on `code`, never on message text.
 *
 * - `external-server`: the server came from NATS_URL / REDIS_URL and is not ours to restart or kill.
 * - `no-backend`: neither the server binary nor a reachable Docker engine was found.
 * - `start-failed`: the server exited or never became ready within `startTimeoutMs`.
 * - `stopped`: the handle was already stopped; its process and data directory are gone.
 */
export type HarnessErrorCode = "external-server" | "no-backend" | "start-failed" | "stopped";

export class HarnessError extends Error {
  override readonly name = "HarnessError";
  readonly code: HarnessErrorCode;

  constructor(code: HarnessErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
