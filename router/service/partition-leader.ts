import {
  type BusMessage,
  type Consumer,
  decodeAgentCommand,
  decodeContactCommand,
  type Lease,
  pipelineFilters,
  SwitchboardError,
  tenantOfSubject,
} from "../../core/index.js";
import { handleAgentCommand } from "./agent-commands.js";
import { applyEffects } from "./apply-effects.js";
import { handleContactCommand } from "./contact-commands.js";
import { LeaseLostError, SerialQueue, withRetry } from "./io-retry.js";
import { type PartitionContext, weightResolver } from "./partition-context.js";
import {
  decodeState,
  encodeState,
  newPartitionState,
  type PartitionState,
  snapshotSeq,
} from "./partition-state.js";
import type { NormalizedRouterOptions } from "./router-options.js";
import { reloadAgents, reloadRouting } from "./routing-config.js";

/** A partition this router currently leads. */
export interface PartitionLeader {
  readonly tenant: string;
  readonly lease: Lease;
  /** Queues a reload of queues and rules (RoutingConfigChanged). */
  reloadRouting(): void;
  /** Drain: stop consuming after in-flight work, store a last snapshot; abort: just stop. */
  stop(mode: "drain" | "abort"): Promise<void>;
  /** For tests and metrics: processed sequences and live offers. */
  stats(): { contactsSeq: number; agentsSeq: number; liveOffers: number; contacts: number };
}

const durableToken = (tenant: string): string => tenant.replace(/[^A-Za-z0-9_-]/g, "_");

/**
 * Takes over a partition under `lease`: restores the latest snapshot (or starts fresh with the
 * lease token as the generation), reloads configuration, replays both command streams from the
 * snapshot's sequences, then keeps consuming, ticking and snapshotting until stopped or the
 * lease is lost (`onLost` is then called once, from outside any handler).
 */
export async function startPartitionLeader(
  o: NormalizedRouterOptions,
  tenant: string,
  lease: Lease,
  onLost: (error: unknown) => void,
): Promise<PartitionLeader> {
  const store = o.store.forTenant(tenant);
  const logger = o.logger.child({ component: "router-partition", tenant, leaseToken: lease.token });
  let stopped = false;
  const io = <T>(call: () => Promise<T>): Promise<T> =>
    withRetry(call, {
      cancelled: () => stopped,
      maxDelayMs: o.maxRetryDelayMs,
      onRetry: (err, attempt) =>
        logger.warn({ err, attempt }, "store or bus unavailable; retrying"),
    });

  const snapshot = await io(() => store.snapshots.get(tenant));
  const state: PartitionState = snapshot
    ? decodeState(snapshot.data)
    : newPartitionState(lease.token, o.engine);
  let lastNowMs = state.engine.snapshot().nowMs;
  const ctx: PartitionContext = {
    tenant,
    state,
    bus: o.bus,
    store,
    logger,
    lease,
    io,
    nowMs(timeMs) {
      lastNowMs = Math.max(lastNowMs, timeMs ?? o.clock.nowMs());
      return lastNowMs;
    },
    weightMilli: weightResolver(state, o.engine.channelWeights),
    capacityMilli: 1000 + Math.round((o.engine.capacityTolerance ?? 0.02) * 1000),
  };
  const queue = new SerialQueue();
  let lostReported = false;
  const lost = (error: unknown): void => {
    if (lostReported) return;
    lostReported = true;
    stopped = true;
    // Deferred: the caller may be a message handler that consumer.stop() would wait for.
    setImmediate(() => onLost(error));
  };
  const guard = async (what: string, task: () => Promise<void>): Promise<void> => {
    try {
      await task();
    } catch (error) {
      if (error instanceof LeaseLostError) lost(error);
      else if (!stopped) logger.error({ err: error }, `${what} failed`);
    }
  };

  logger.info(
    { restoredSeq: snapshot?.seq ?? null, generation: state.generation },
    "taking over partition",
  );
  await queue.run(async () => {
    await reloadRouting(ctx);
    await reloadAgents(ctx);
  });
  const writeSnapshot = async (): Promise<void> => {
    // A router that lost its lease must not overwrite its successor's snapshot.
    if (!(await io(() => store.leases.renew(lease, o.leaseTtlMs))))
      throw new LeaseLostError(tenant);
    await io(() =>
      store.snapshots.put(tenant, { seq: snapshotSeq(state), data: encodeState(state) }),
    );
  };
  if (snapshot === undefined) await queue.run(writeSnapshot);

  const poison = new Set<string>();
  const handler =
    (kind: "contacts" | "agents") =>
    async (message: BusMessage): Promise<void> => {
      if (stopped) throw new SwitchboardError("UNAVAILABLE", "partition is stopping");
      const key = `${kind}:${message.seq}`;
      if (poison.has(key)) throw new SwitchboardError("INVALID_ARGUMENT", "undecodable command");
      await queue.run(async () => {
        const done = kind === "contacts" ? state.contactsSeq : state.agentsSeq;
        if (message.seq <= done) return; // applied before the snapshot or before a redelivery
        try {
          if (kind === "contacts")
            await handleContactCommand(ctx, decodeContactCommand(message.data));
          else await handleAgentCommand(ctx, decodeAgentCommand(message.data));
        } catch (error) {
          if (
            error instanceof SwitchboardError &&
            error.code === "INVALID_ARGUMENT" &&
            error.violations[0]?.field === "payload"
          ) {
            // Nak'd until maxDeliver sends it to the dead letters; later commands go on meanwhile.
            poison.add(key);
          }
          if (error instanceof LeaseLostError) lost(error);
          throw error;
        }
        if (kind === "contacts") state.contactsSeq = message.seq;
        else state.agentsSeq = message.seq;
      });
    };
  const consume = (
    kind: "contacts" | "agents",
    filter: string,
    fromSeq: number,
  ): Promise<Consumer> =>
    o.bus.consume(
      {
        durable: `${o.consumerPrefix}-${durableToken(tenant)}-${kind}`,
        filterSubjects: [filter],
        deliverFrom: { seq: fromSeq + 1 },
        partitionKey: (m) => tenantOfSubject(m.subject),
        concurrency: 4,
        maxDeliver: o.maxDeliver,
        backoffMs: [200, 1000, 5000],
      },
      handler(kind),
    );
  const consumers = await Promise.all([
    consume("contacts", pipelineFilters.contactCommands(o.bus.subjects, tenant), state.contactsSeq),
    consume("agents", pipelineFilters.agentCommands(o.bus.subjects, tenant), state.agentsSeq),
  ]);

  let ticking = false;
  const tickTimer = setInterval(() => {
    if (ticking || stopped) return;
    ticking = true;
    void guard("tick", () =>
      queue.run(() => applyEffects(ctx, state.engine.tick(ctx.nowMs()))),
    ).finally(() => {
      ticking = false;
    });
  }, o.tickIntervalMs);
  let snapshotting = false;
  const snapshotTimer = setInterval(() => {
    if (snapshotting || stopped) return;
    snapshotting = true;
    void guard("snapshot", () => queue.run(writeSnapshot)).finally(() => {
      snapshotting = false;
    });
  }, o.snapshotIntervalMs);

  return {
    tenant,
    lease,
    reloadRouting() {
      if (stopped) return;
      void guard("routing reload", () => queue.run(() => reloadRouting(ctx)));
    },
    async stop(mode) {
      const draining = mode === "drain" && !stopped;
      stopped = mode === "abort" || stopped;
      clearInterval(tickTimer);
      clearInterval(snapshotTimer);
      await Promise.all(consumers.map((c) => c.stop()));
      if (draining) {
        await guard("final snapshot", () => queue.run(writeSnapshot));
        stopped = true;
        await store.leases
          .release(lease)
          .catch((err: unknown) => logger.warn({ err }, "lease release failed"));
      }
      logger.info({ mode }, "partition stopped");
    },
    stats: () => ({
      contactsSeq: state.contactsSeq,
      agentsSeq: state.agentsSeq,
      liveOffers: state.offers.size,
      contacts: state.contacts.size,
    }),
  };
}
