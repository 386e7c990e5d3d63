import type { Timestamp } from "@bufbuild/protobuf/wkt";
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
import type { AgentCommand, ContactCommand } from "../../proto/index.js";
import { handleAgentCommand } from "./agent-commands.js";
import { applyEffects } from "./apply-effects.js";
import { type CustomerLookup, handleContactCommand, lookUpCustomer } from "./contact-commands.js";
import { IoPipeline } from "./io-pipeline.js";
import { LeaseLostError, SerialQueue, withRetry } from "./io-retry.js";
import type { PartitionContext } from "./partition-context.js";
import {
  decodeState,
  encodeState,
  newPartitionState,
  type PartitionState,
  snapshotSeq,
} from "./partition-state.js";
import { createPositionFeed } from "./position-feed.js";
import { ReservationEpoch } from "./reservation-epoch.js";
import type { NormalizedRouterOptions } from "./router-options.js";
import { reloadAgents, reloadRouting } from "./routing-config.js";
import { type StreamKind, StreamMerge } from "./stream-merge.js";

/**
 * When the next snapshot is due: `intervalMs` after the last, or 10× the last one's encoding
 * time if that is longer — encoding holds up the ordered path, so a large state is snapshotted
 * less often and the stall stays under a tenth of the time (the replay on takeover grows).
 */
export function nextSnapshotDueMs(lastMs: number, intervalMs: number, encodeMs: number): number {
  return lastMs + Math.max(intervalMs, 10 * encodeMs);
}

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

const preciseMs = (t: Timestamp): number => Number(t.seconds) * 1000 + t.nanos / 1e6;

/** Commands delivered and not yet acked per stream: bounds the backlog held in memory. */
const maxInFlightCommands = 2048;
/**
 * An epoch (see ReservationEpoch) closes when no further command is waiting, or after this
 * many commands or milliseconds: a busy partition commits in groups, an idle one at once.
 */
const maxEpochCommands = 256;
const maxEpochMs = 10;

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
  const timerLagMs = 100;
  const ctx: PartitionContext = {
    tenant,
    state,
    bus: o.bus,
    store,
    logger,
    lease,
    io,
    // Commands run at their own (gateway) time, everything else a little behind the clock, so
    // a command is rarely clamped to a later tick and a replay sees the same times as the run.
    nowMs(timeMs) {
      lastNowMs = Math.max(lastNowMs, timeMs ?? o.clock.nowMs() - timerLagMs);
      return lastNowMs;
    },
    capacityMilli: 1000 + Math.round((o.engine.capacityTolerance ?? 0.02) * 1000),
    pipe: new IoPipeline(),
    withdrawOnReject: new Map(),
    reservations: new ReservationEpoch((ops) => io(() => store.reservations.apply(ops, lease))),
    vouched: new Map(),
    offerCommits: new Map(),
    confirmations: new Map(),
  };
  const queue = new SerialQueue();
  // Each stream hands the merge one command at a time, in the order the consumer delivered them.
  const intake: Record<StreamKind, SerialQueue> = {
    contacts: new SerialQueue(),
    agents: new SerialQueue(),
  };
  // Settles (never rejects) once the last command on the ordered path is done, effects and all.
  let doneTail: Promise<unknown> = Promise.resolve();
  /** The open epoch: what its tasks' `done` waits for besides their own I/O. */
  let epoch:
    | { readonly common: Promise<void>; settle(outcome: Promise<void>): void; tasks: number }
    | undefined;
  let epochOpenedMs = 0;
  let epochTimer: NodeJS.Timeout | undefined;
  const joinEpoch = (): Promise<void> => {
    if (epoch === undefined) {
      let settle: (outcome: Promise<void>) => void = () => {};
      const common = new Promise<void>((resolve) => {
        settle = resolve;
      });
      common.catch(() => {});
      epoch = { common, settle, tasks: 0 };
      epochOpenedMs = performance.now();
      // Nothing may stay uncommitted for long, whatever arrives (or not) after it.
      epochTimer = setTimeout(() => void queue.run(closeEpoch), maxEpochMs);
    }
    epoch.tasks += 1;
    return epoch.common;
  };
  /**
   * On the ordered path: commits the epoch's reservation writes (and what the refusals among
   * them re-route), then lets its tasks' `done` settle with the outcome and their I/O.
   */
  const closeEpoch = async (): Promise<void> => {
    const open = epoch;
    epoch = undefined;
    clearTimeout(epochTimer);
    let failure: { error: unknown } | undefined;
    try {
      await ctx.reservations.settle();
    } catch (error) {
      failure = { error };
      if (error instanceof LeaseLostError) lost(error);
    }
    const followUps = ctx.pipe.takeBatch();
    const outcome =
      failure === undefined
        ? followUps
        : followUps.then(
            () => Promise.reject(failure.error),
            () => Promise.reject(failure.error),
          );
    outcome.catch(() => {});
    open?.settle(outcome);
  };
  /** Ordered tasks that may have changed the state, and their count in the stored snapshot. */
  let changes = 0;
  let storedChanges = -1;
  /**
   * Runs `task` on the ordered path (the engine one step at a time) and resolves as soon as it
   * is through there, with `done`: the I/O it issued and its epoch's commit, settled after
   * every earlier task's, so acks follow the commands' order. The epoch stays open while
   * more commands are waiting (`fromIntake`: this task is one of the intake's). Wrapped in an
   * object: a bare promise would be awaited.
   */
  const runOrdered = (
    task: () => Promise<void>,
    fromIntake = false,
    change = true,
  ): Promise<{ done: Promise<void> }> =>
    queue.run(async () => {
      if (change) changes++;
      let failure: { error: unknown } | undefined;
      try {
        await task();
      } catch (error) {
        failure = { error };
      }
      const batch = ctx.pipe.takeBatch();
      const own =
        failure === undefined
          ? batch
          : batch.then(
              () => Promise.reject(failure.error),
              () => Promise.reject(failure.error),
            );
      const common = joinEpoch();
      const waiting =
        queue.size - 1 + intake.contacts.size + intake.agents.size - (fromIntake ? 1 : 0);
      if (
        waiting <= 0 ||
        stopped ||
        (epoch?.tasks ?? 0) >= maxEpochCommands ||
        performance.now() - epochOpenedMs >= maxEpochMs
      )
        await closeEpoch();
      const done = Promise.all([doneTail, own, common]).then(() => undefined);
      doneTail = done.then(
        () => undefined,
        () => undefined,
      );
      return { done };
    });
  const ordered = async (task: () => Promise<void>, change = true): Promise<void> => {
    const { done } = await runOrdered(task, false, change);
    await done;
  };
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
  await ordered(async () => {
    await reloadRouting(ctx);
    // A restored engine already knows its agents, and replayed commands bring their changes
    // at their own times; loading profiles now would stamp them with the takeover's time and
    // make the replay decide differently. Unknown agents load when they connect.
    if (snapshot === undefined) await reloadAgents(ctx);
  });
  let tainted = false;
  /** How long the last snapshot took to encode. */
  let encodeMs = 0;
  const writeSnapshot = async (): Promise<void> => {
    // Taken on the ordered path, stored once every effect issued before it is durable: a
    // successor replays from its sequences, so nothing they cover may still be in flight.
    const taken = await queue.run(async () => {
      // Unchanged since the stored one (an idle partition, ticks without effects): encoding
      // the whole state again every interval would cost CPU that grows with the live contacts.
      if (changes === storedChanges) return undefined;
      // Nothing optimistic in it: the epoch's reservations are committed (or re-routed) first.
      await closeEpoch();
      const at = changes;
      const started = performance.now();
      const data = encodeState(state);
      encodeMs = performance.now() - started;
      return { at, seq: snapshotSeq(state), data, durable: ctx.pipe.settled() };
    });
    if (taken === undefined) return;
    if (!(await taken.durable) || tainted) {
      logger.warn("effects failed since the last snapshot; not storing one");
      return;
    }
    // A router that lost its lease must not overwrite its successor's snapshot.
    if (!(await io(() => store.leases.renew(lease, o.leaseTtlMs))))
      throw new LeaseLostError(tenant);
    const { seq, data } = taken;
    const stored = await io(() => store.snapshots.put(tenant, { seq, data }));
    storedChanges = taken.at;
    logger.debug({ seq, stored }, "snapshot");
  };
  if (snapshot === undefined) await writeSnapshot();

  const poison = new Set<string>();
  // Commands older than 1 s are a replay; a stream silent for 200 ms (1 s at the start) has
  // nothing older queued.
  const merge = new StreamMerge(o.clock, 1000, 200, 1000, o.clock.nowMs());
  // Commands past intake whose effects are not durable yet, by stream and sequence.
  const inFlight = new Map<string, Promise<void>>();
  const processCommand = async (
    kind: StreamKind,
    seq: number,
    command: ContactCommand | AgentCommand,
    lookup: CustomerLookup | undefined,
  ): Promise<void> => {
    const { done } = await intake[kind].run(async () => {
      await merge.admit(kind, command.time ? preciseMs(command.time) : o.clock.nowMs());
      try {
        return await runOrdered(() => apply(kind, seq, command, lookup), true);
      } finally {
        merge.done(kind);
      }
    });
    try {
      await done;
    } catch (error) {
      if (error instanceof LeaseLostError) lost(error);
      // Not acknowledged, so the next leader replays it; no snapshot may cover it any more.
      if (stopped) {
        tainted = true;
        throw error;
      }
      logger.error({ err: error, seq, stream: kind }, "command partly applied");
    }
  };
  const handler =
    (kind: StreamKind) =>
    async (message: BusMessage): Promise<void> => {
      // Everything up to process() runs synchronously: the consumer starts handlers in delivery
      // order, and that is the order the commands enter the intake.
      if (stopped) throw new SwitchboardError("UNAVAILABLE", "partition is stopping");
      const key = `${kind}:${message.seq}`;
      const running = inFlight.get(key);
      // Redelivered while the first delivery is still being applied: acked with it.
      if (running !== undefined) return running;
      if (poison.has(key)) throw new SwitchboardError("INVALID_ARGUMENT", "undecodable command");
      if (message.seq <= (kind === "contacts" ? state.contactsSeq : state.agentsSeq)) return;
      let command: ContactCommand | AgentCommand;
      try {
        command =
          kind === "contacts"
            ? decodeContactCommand(message.data)
            : decodeAgentCommand(message.data);
      } catch (error) {
        // Nak'd until maxDeliver sends it to the dead letters; later commands go on meanwhile.
        poison.add(key);
        throw error;
      }
      const lookup =
        command.$typeName === "switchboard.v1.ContactCommand"
          ? lookUpCustomer(ctx, command)
          : undefined;
      const processing = processCommand(kind, message.seq, command, lookup);
      inFlight.set(key, processing);
      try {
        await processing;
      } finally {
        inFlight.delete(key);
      }
    };
  const apply = async (
    kind: StreamKind,
    seq: number,
    command: ContactCommand | AgentCommand,
    lookup: CustomerLookup | undefined,
  ): Promise<void> => {
    if (seq <= (kind === "contacts" ? state.contactsSeq : state.agentsSeq)) return;
    try {
      if (command.$typeName === "switchboard.v1.ContactCommand")
        await handleContactCommand(ctx, command, lookup);
      else await handleAgentCommand(ctx, command);
    } catch (error) {
      if (error instanceof LeaseLostError) lost(error);
      // Stopping or lease lost: not acknowledged, so the next leader replays it. The state
      // holds half of it now, so no snapshot may be taken of it any more.
      if (stopped) {
        tainted = true;
        throw error;
      }
      // The engine already applied the command, so running it again cannot help: log it
      // and go on rather than block the partition.
      logger.error({ err: error, seq, stream: kind }, "command partly applied");
    }
    if (kind === "contacts") state.contactsSeq = seq;
    else state.agentsSeq = seq;
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
        // One key per message: handlers start in delivery order and overlap, so one command's
        // I/O does not wait for the one before it. The order for the engine is the intake's.
        partitionKey: (m) => `${tenantOfSubject(m.subject)}:${m.seq}`,
        concurrency: maxInFlightCommands,
        maxAckPending: maxInFlightCommands,
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
    // During a replay the commands' own times drive the engine; a tick at the clock's time
    // would jump past them.
    if (ticking || stopped || merge.replaying()) return;
    ticking = true;
    void guard("tick", () =>
      ordered(async () => {
        const effects = state.engine.tick(ctx.nowMs());
        if (effects.length > 0) changes++;
        await applyEffects(ctx, effects);
      }, false),
    ).finally(() => {
      ticking = false;
    });
  }, o.tickIntervalMs);
  const positions = createPositionFeed(ctx);
  const positionTimer = setInterval(() => {
    if (stopped || merge.replaying()) return;
    try {
      positions.publish();
    } catch (err) {
      logger.warn({ err }, "queue position update failed");
    }
  }, o.positionIntervalMs);
  let snapshotting = false;
  let lastSnapshotMs = performance.now();
  const snapshotTimer = setInterval(() => {
    const due = nextSnapshotDueMs(lastSnapshotMs, o.snapshotIntervalMs, encodeMs);
    if (snapshotting || stopped || performance.now() < due) return;
    snapshotting = true;
    lastSnapshotMs = performance.now();
    void guard("snapshot", writeSnapshot).finally(() => {
      snapshotting = false;
    });
  }, o.snapshotIntervalMs);

  return {
    tenant,
    lease,
    reloadRouting() {
      if (stopped) return;
      void guard("routing reload", () => ordered(() => reloadRouting(ctx)));
    },
    async stop(mode) {
      clearInterval(tickTimer);
      clearInterval(snapshotTimer);
      clearInterval(positionTimer);
      if (mode === "abort") stopped = true;
      const consumersStopped = Promise.all(consumers.map((c) => c.stop()));
      let drained = false;
      if (mode === "drain" && !stopped) {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), o.drainTimeoutMs);
        });
        drained = await Promise.race([consumersStopped.then(() => true), timeout]);
        clearTimeout(timer);
        if (!drained)
          logger.warn("drain timed out; in-flight commands are left to the next leader");
      }
      // From here on store and bus calls are tried once: nothing waits out an outage any more.
      stopped = true;
      await consumersStopped;
      if (drained && !lostReported) {
        await guard("final snapshot", writeSnapshot);
        await store.leases
          .release(lease)
          .catch((err: unknown) => logger.warn({ err }, "lease release failed"));
      }
      logger.info({ mode, drained }, "partition stopped");
    },
    stats: () => ({
      contactsSeq: state.contactsSeq,
      agentsSeq: state.agentsSeq,
      liveOffers: state.offers.size,
      contacts: state.contacts.size,
    }),
  };
}
