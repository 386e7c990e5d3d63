import {
  type Bus,
  type Clock,
  invalidArgument,
  type Logger,
  newId,
  type Store,
  systemClock,
} from "../../core/index.js";
import type { RouterEngineOptions } from "../engine/options.js";

/** Options of `startRouter`. Only `bus`, `store` and `logger` are required. */
export interface RouterOptions {
  readonly bus: Bus;
  readonly store: Store;
  readonly logger: Logger;
  /** Tenants (partitions) this router serves; one lease each. Default ["default"]. */
  readonly tenants?: readonly string[];
  /** Unique per process incarnation: the lease holder id. Default a fresh UUIDv7. */
  readonly routerId?: string;
  /** Default the system clock; tests pass a manual one. */
  readonly clock?: Clock;
  /** Lease time to live. A standby takes over at most this long after the leader died. Default 5000. */
  readonly leaseTtlMs?: number;
  /** How often the leader renews and a standby tries to acquire. Default leaseTtlMs / 3. */
  readonly leaseRenewIntervalMs?: number;
  /** How often timers (offer expiry, escalation, aging, wrap-up) run. Default 100. */
  readonly tickIntervalMs?: number;
  /**
   * How often the leader stores a snapshot (when something changed); bounds the replay on
   * takeover. A state slow to encode waits 10× its encoding time instead. Default 1000.
   */
  readonly snapshotIntervalMs?: number;
  /** How often waiting contacts' changed positions are published (QueuePositions). Default 2000. */
  readonly positionIntervalMs?: number;
  /** Durable consumer name prefix ([A-Za-z0-9_-]). Default "router". */
  readonly consumerPrefix?: string;
  /** Handler attempts before a command is dead-lettered. Default 5. */
  readonly maxDeliver?: number;
  /** Longest wait between retries of a store/bus call that failed UNAVAILABLE. Default 2000. */
  readonly maxRetryDelayMs?: number;
  /** Longest wait for in-flight commands on stop before giving up on them. Default 10 000. */
  readonly drainTimeoutMs?: number;
  /** Passed to every partition's engine (except `routing`, which comes from the store). */
  readonly engine?: Omit<RouterEngineOptions, "routing">;
}

export interface NormalizedRouterOptions {
  readonly bus: Bus;
  readonly store: Store;
  readonly logger: Logger;
  readonly tenants: readonly string[];
  readonly routerId: string;
  readonly clock: Clock;
  readonly leaseTtlMs: number;
  readonly leaseRenewIntervalMs: number;
  readonly tickIntervalMs: number;
  readonly snapshotIntervalMs: number;
  readonly positionIntervalMs: number;
  readonly consumerPrefix: string;
  readonly maxDeliver: number;
  readonly maxRetryDelayMs: number;
  readonly drainTimeoutMs: number;
  readonly engine: Omit<RouterEngineOptions, "routing">;
}

export const routerDefaults = {
  tenants: ["default"],
  leaseTtlMs: 5000,
  tickIntervalMs: 100,
  snapshotIntervalMs: 1000,
  positionIntervalMs: 2000,
  consumerPrefix: "router",
  maxDeliver: 5,
  maxRetryDelayMs: 2000,
  drainTimeoutMs: 10_000,
} as const;

export function normalizeRouterOptions(options: RouterOptions): NormalizedRouterOptions {
  const leaseTtlMs = options.leaseTtlMs ?? routerDefaults.leaseTtlMs;
  const n: NormalizedRouterOptions = {
    bus: options.bus,
    store: options.store,
    logger: options.logger,
    tenants: [...(options.tenants ?? routerDefaults.tenants)],
    routerId: options.routerId ?? newId(),
    clock: options.clock ?? systemClock,
    leaseTtlMs,
    leaseRenewIntervalMs: options.leaseRenewIntervalMs ?? Math.max(1, Math.floor(leaseTtlMs / 3)),
    tickIntervalMs: options.tickIntervalMs ?? routerDefaults.tickIntervalMs,
    snapshotIntervalMs: options.snapshotIntervalMs ?? routerDefaults.snapshotIntervalMs,
    positionIntervalMs: options.positionIntervalMs ?? routerDefaults.positionIntervalMs,
    consumerPrefix: options.consumerPrefix ?? routerDefaults.consumerPrefix,
    maxDeliver: options.maxDeliver ?? routerDefaults.maxDeliver,
    maxRetryDelayMs: options.maxRetryDelayMs ?? routerDefaults.maxRetryDelayMs,
    drainTimeoutMs: options.drainTimeoutMs ?? routerDefaults.drainTimeoutMs,
    engine: options.engine ?? {},
  };
  const violations = [];
  if (n.tenants.length === 0)
    violations.push({ field: "tenants", description: "at least one tenant" });
  if (new Set(n.tenants).size !== n.tenants.length)
    violations.push({ field: "tenants", description: "must not repeat" });
  for (const [field, value] of [
    ["leaseTtlMs", n.leaseTtlMs],
    ["leaseRenewIntervalMs", n.leaseRenewIntervalMs],
    ["tickIntervalMs", n.tickIntervalMs],
    ["snapshotIntervalMs", n.snapshotIntervalMs],
    ["positionIntervalMs", n.positionIntervalMs],
    ["maxDeliver", n.maxDeliver],
    ["maxRetryDelayMs", n.maxRetryDelayMs],
    ["drainTimeoutMs", n.drainTimeoutMs],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      violations.push({ field, description: "must be a positive integer" });
  }
  if (n.leaseRenewIntervalMs >= n.leaseTtlMs)
    violations.push({
      field: "leaseRenewIntervalMs",
      description: "must be shorter than leaseTtlMs",
    });
  if (!/^[A-Za-z0-9_-]+$/.test(n.consumerPrefix))
    violations.push({ field: "consumerPrefix", description: "only A-Z a-z 0-9 _ -" });
  if (violations.length > 0) throw invalidArgument(violations);
  return n;
}
