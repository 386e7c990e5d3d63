import type { BusMessage, Consumer } from "./bus.js";
import type { NormalizedConsume } from "./bus-rules.js";
import { type DeliveryContext, handleDelivery, partitionOf } from "./delivery.js";
import type { MemoryStream } from "./memory-stream.js";
import { createPartitionDispatcher } from "./partition-dispatcher.js";
import { subjectMatches } from "./subject-match.js";
import type { BusTimers } from "./timers.js";

/**
 * What a JetStream consumer keeps on the server: position, unacknowledged messages with their
 * delivery counts, redeliveries that fell due. A durable's state outlives `stop()`.
 */
export interface ConsumerState {
  config: NormalizedConsume;
  nextSeq: number;
  readonly pending: Map<number, PendingEntry>;
  /** Sequences to deliver again, in the order they fell due. */
  due: number[];
  active: boolean;
}

interface PendingEntry {
  deliveryCount: number;
  /** Bumped per delivery so a late timer or nak from an older delivery is ignored. */
  generation: number;
  state: "delivered" | "backoff" | "due";
  cancelTimer: (() => void) | undefined;
}

export function createConsumerState(config: NormalizedConsume): ConsumerState {
  return {
    config,
    nextSeq: config.deliverFromSeq ?? 1,
    pending: new Map(),
    due: [],
    active: false,
  };
}

/** Cancels every timer of a state that is being thrown away. */
export function discardConsumerState(state: ConsumerState): void {
  for (const entry of state.pending.values()) entry.cancelTimer?.();
  state.pending.clear();
  state.due = [];
}

interface Delivery {
  readonly message: BusMessage;
  readonly entry: PendingEntry;
  readonly generation: number;
}

/** Attaches a handler to a consumer state and delivers until `stop()`. */
export function startMemoryConsumer(
  name: string,
  state: ConsumerState,
  stream: MemoryStream,
  timers: BusTimers,
  ctx: DeliveryContext,
  onStopped: () => void,
): Consumer {
  const { config } = state;
  let pumping = false;

  const dispatcher = createPartitionDispatcher<Delivery>({
    concurrency: config.concurrency,
    keyOf: (d) => partitionOf(d.message, config, ctx),
    run: (d) =>
      handleDelivery(ctx, d.message, {
        ack: () => settled(d),
        term: () => settled(d),
        nak: (delayMs) => {
          if (d.entry.generation !== d.generation || d.entry.state !== "delivered") return;
          d.entry.cancelTimer?.();
          d.entry.state = "backoff";
          d.entry.cancelTimer = timers.schedule(delayMs, () => becomeDue(d.message.seq, d.entry));
        },
      }),
    onError: (error, d) => ctx.logger.error({ err: error, seq: d.message.seq }, "delivery failed"),
  });

  const settled = (d: Delivery): void => {
    d.entry.cancelTimer?.();
    state.pending.delete(d.message.seq);
    pump();
  };

  const becomeDue = (seq: number, entry: PendingEntry): void => {
    entry.cancelTimer = undefined;
    entry.state = "due";
    state.due.push(seq);
    pump();
  };

  const deliver = (seq: number): void => {
    const stored = stream.get(seq);
    if (stored === undefined) return;
    const entry = state.pending.get(seq) ?? {
      deliveryCount: 0,
      generation: 0,
      state: "delivered" as const,
      cancelTimer: undefined,
    };
    entry.deliveryCount++;
    entry.generation++;
    entry.state = "delivered";
    const generation = entry.generation;
    // Like JetStream: unsettled after ackWait (hung handler, or stuck behind its partition).
    entry.cancelTimer = timers.schedule(config.ackWaitMs, () => {
      if (entry.generation === generation && entry.state === "delivered") becomeDue(seq, entry);
    });
    state.pending.set(seq, entry);
    const message: BusMessage = {
      subject: stored.subject,
      data: stored.data,
      headers: stored.headers,
      msgId: stored.msgId,
      stream: stream.spec.name,
      seq,
      deliveryCount: entry.deliveryCount,
      redelivered: entry.deliveryCount > 1,
    };
    dispatcher.push({ message, entry, generation });
  };

  const pump = (): void => {
    // Delivering can settle synchronously and call back in here; one loop is enough.
    if (pumping || !state.active) return;
    pumping = true;
    try {
      for (let seq = state.due.shift(); seq !== undefined; seq = state.due.shift()) deliver(seq);
      while (state.pending.size < config.maxAckPending && state.nextSeq <= stream.lastSeq) {
        const seq = state.nextSeq++;
        const stored = stream.get(seq);
        if (stored && config.filterSubjects.some((f) => subjectMatches(f, stored.subject))) {
          deliver(seq);
        }
      }
    } finally {
      pumping = false;
    }
  };

  state.active = true;
  const unlisten = stream.onAppend(pump);
  pump();

  let stopping: Promise<void> | undefined;
  return {
    name,
    stop() {
      stopping ??= (async () => {
        state.active = false;
        unlisten();
        const unstarted = await dispatcher.drain();
        // Never handled, so handed back as if never delivered: first in line next time.
        for (const d of unstarted.sort((a, b) => a.message.seq - b.message.seq).reverse()) {
          d.entry.cancelTimer?.();
          d.entry.deliveryCount--;
          d.entry.state = "due";
          state.due.unshift(d.message.seq);
        }
        onStopped();
      })();
      return stopping;
    },
  };
}
