import { waitFor } from "./wait-for.js";

/** Structurally core's HealthCheck; the harness does not import core. */
export interface Checkable {
  readonly name: string;
  check(signal: AbortSignal): Promise<void>;
}

/** "up", or "down: <reason>" — one probe of a health check. */
export function probeHealth(h: Checkable, timeoutMs = 2000): Promise<string> {
  return h.check(AbortSignal.timeout(timeoutMs)).then(
    () => "up",
    (err: unknown) => `down: ${err instanceof Error ? err.message : String(err)}`,
  );
}

/** Waits until a dependency's health check reports `want`, e.g. after a harness kill/restart. */
export function waitForHealth(
  h: Checkable,
  want: "up" | "down",
  timeoutMs = 10_000,
): Promise<string> {
  return waitFor(
    async () => {
      const got = await probeHealth(h);
      if (!got.startsWith(want)) throw new Error(got);
      return got;
    },
    { timeoutMs, what: `${h.name} to be ${want}` },
  );
}
