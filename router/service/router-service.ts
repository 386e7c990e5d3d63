import { pipelineFilters, type Subscription } from "../../core/index.js";
import { type PartitionLeader, startPartitionLeader } from "./partition-leader.js";
import { normalizeRouterOptions, type RouterOptions } from "./router-options.js";

/** A running router: leads the partitions whose lease it holds, stands by for the others. */
export interface Router {
  readonly routerId: string;
  /** Tenants this router leads right now. */
  leading(): string[];
  /** Processed sequences and live offers per led partition, for tests and metrics. */
  stats(): Record<string, ReturnType<PartitionLeader["stats"]>>;
  /** SIGTERM drain: finish in-flight commands, store a snapshot, hand the leases back. */
  stop(): Promise<void>;
  /** Stops at once without a snapshot or releasing leases, as a crash would (fault tests). */
  abort(): Promise<void>;
}

/**
 * Starts the router service: for every tenant a loop that takes the partition's lease when it
 * is free (standby until then), leads it (see startPartitionLeader), renews the lease, and
 * steps down when the lease is lost. Resolves once the first acquisition round has run.
 */
export async function startRouter(options: RouterOptions): Promise<Router> {
  const o = normalizeRouterOptions(options);
  const logger = o.logger.child({ component: "router", routerId: o.routerId });
  const leaders = new Map<string, PartitionLeader>();
  const starting = new Set<string>();
  let closing = false;

  const stepDown = async (tenant: string, reason: unknown): Promise<void> => {
    const leader = leaders.get(tenant);
    if (leader === undefined) return;
    leaders.delete(tenant);
    logger.warn({ tenant, err: reason }, "lease lost; stepping down to standby");
    await leader.stop("abort");
  };

  const round = async (tenant: string): Promise<void> => {
    if (closing || starting.has(tenant)) return;
    const store = o.store.forTenant(tenant);
    const leader = leaders.get(tenant);
    if (leader !== undefined) {
      const renewed = await store.leases.renew(leader.lease, o.leaseTtlMs).catch((err: unknown) => {
        // Unreachable store: keep going until the TTL would have run out; fencing protects us.
        logger.warn({ tenant, err }, "lease renewal failed");
        return true;
      });
      if (!renewed) await stepDown(tenant, "renewal refused");
      return;
    }
    const lease = await store.leases
      .acquire(tenant, o.routerId, o.leaseTtlMs)
      .catch((err: unknown) => {
        logger.warn({ tenant, err }, "lease acquisition failed");
        return null;
      });
    if (lease === null || closing) return;
    starting.add(tenant);
    try {
      const started = await startPartitionLeader(o, tenant, lease, (err) => {
        void stepDown(tenant, err).catch((e: unknown) =>
          logger.error({ err: e }, "step down failed"),
        );
      });
      leaders.set(tenant, started);
    } catch (err) {
      logger.error({ tenant, err }, "taking over the partition failed; will retry");
      await store.leases.release(lease).catch(() => false);
    } finally {
      starting.delete(tenant);
    }
  };

  const rounds = async (): Promise<void> => {
    await Promise.all(o.tenants.map((t) => round(t)));
  };
  await rounds();
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void rounds()
      .catch((err: unknown) => logger.error({ err }, "lease round failed"))
      .finally(() => {
        running = false;
      });
  }, o.leaseRenewIntervalMs);

  const tenantOf = (subject: string): string => subject.slice(subject.lastIndexOf(".") + 1);
  const subscription: Subscription = await o.bus.subscribe(
    pipelineFilters.config(o.bus.subjects),
    (n) => {
      leaders.get(tenantOf(n.subject))?.reloadRouting();
    },
  );
  logger.info({ tenants: o.tenants, leading: [...leaders.keys()] }, "router started");

  const shutdown = async (mode: "drain" | "abort"): Promise<void> => {
    if (closing) return;
    closing = true;
    clearInterval(timer);
    subscription.unsubscribe();
    // A lease round may be taking a partition over right now; let it finish first.
    while (starting.size > 0) await new Promise((r) => setTimeout(r, 10));
    await Promise.all([...leaders.values()].map((l) => l.stop(mode)));
    leaders.clear();
    logger.info({ mode }, "router stopped");
  };
  return {
    routerId: o.routerId,
    leading: () => [...leaders.keys()],
    stats: () => Object.fromEntries([...leaders].map(([t, l]) => [t, l.stats()])),
    stop: () => shutdown("drain"),
    abort: () => shutdown("abort"),
  };
}
