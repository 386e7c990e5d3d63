import { EventEmitter } from "node:events";
import type { HealthCheck, Logger } from "../core/index.js";

/**
 * Tracks whether the things this process depends on (NATS, Redis, …) answer, so that
 * `grpc.health.v1`, `/readyz` and the logs tell the same story. Checks run on an interval
 * and on demand; a check that throws or exceeds its timeout counts as down.
 */

export type DependencyStatus = {
  readonly name: string;
  readonly up: boolean;
  readonly detail?: string;
};

export interface HealthSnapshot {
  /** True when every dependency is up and the process is not draining. */
  readonly serving: boolean;
  readonly draining: boolean;
  readonly dependencies: readonly DependencyStatus[];
}

export interface HealthMonitor {
  snapshot(): HealthSnapshot;
  /** Runs every check now and returns the resulting snapshot. */
  refresh(): Promise<HealthSnapshot>;
  /** From now on report NOT_SERVING: used first thing on SIGTERM so balancers stop sending. */
  startDraining(): void;
  onChange(listener: (snapshot: HealthSnapshot) => void): () => void;
  /** Called once when the monitor closes, e.g. to end health Watch streams at shutdown. */
  onClose(listener: () => void): void;
  close(): void;
}

export interface HealthMonitorOptions {
  readonly checks: readonly HealthCheck[];
  readonly logger: Logger;
  /** How often checks run in the background while everything is up; default 5000. */
  readonly intervalMs?: number;
  /** How often while something is down, so recovery shows quickly; default 1000. */
  readonly downIntervalMs?: number;
  /** A check slower than this counts as down; default 2000. */
  readonly checkTimeoutMs?: number;
}

export async function createHealthMonitor(options: HealthMonitorOptions): Promise<HealthMonitor> {
  const { checks, logger } = options;
  const intervalMs = options.intervalMs ?? 5000;
  const downIntervalMs = options.downIntervalMs ?? 1000;
  const checkTimeoutMs = options.checkTimeoutMs ?? 2000;
  const events = new EventEmitter();
  let draining = false;
  let closed = false;
  let statuses: DependencyStatus[] = checks.map((c) => ({
    name: c.name,
    up: false,
    detail: "not checked yet",
  }));

  const snapshot = (): HealthSnapshot => ({
    serving: !draining && statuses.every((s) => s.up),
    draining,
    dependencies: statuses,
  });

  const publish = (before: HealthSnapshot) => {
    const after = snapshot();
    if (after.serving !== before.serving) {
      logger.info({ serving: after.serving, dependencies: after.dependencies }, "health changed");
    }
    events.emit("change", after);
  };

  const runOne = async (c: HealthCheck): Promise<DependencyStatus> => {
    const signal = AbortSignal.timeout(checkTimeoutMs);
    try {
      await Promise.race([
        c.check(signal),
        new Promise<never>((_, reject) =>
          signal.addEventListener("abort", () =>
            reject(new Error(`no answer in ${checkTimeoutMs} ms`)),
          ),
        ),
      ]);
      return { name: c.name, up: true };
    } catch (err) {
      return { name: c.name, up: false, detail: err instanceof Error ? err.message : String(err) };
    }
  };

  const refresh = async () => {
    const before = snapshot();
    statuses = await Promise.all(checks.map(runOne));
    const changed = JSON.stringify(before.dependencies) !== JSON.stringify(statuses);
    if (changed) publish(before);
    return snapshot();
  };

  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (closed || checks.length === 0) return;
    const delayMs = statuses.every((s) => s.up) ? intervalMs : downIntervalMs;
    timer = setTimeout(() => void refresh().finally(schedule), delayMs);
    timer.unref();
  };
  await refresh();
  schedule();

  return {
    snapshot,
    refresh,
    startDraining() {
      if (draining) return;
      const before = snapshot();
      draining = true;
      publish(before);
    },
    onChange(listener) {
      events.on("change", listener);
      return () => events.off("change", listener);
    },
    onClose(listener) {
      if (closed) listener();
      else events.once("close", listener);
    },
    close() {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      events.emit("close");
      events.removeAllListeners();
    },
  };
}
