import { SwitchboardError } from "../errors.js";
import type { Bus, Consumer, Notification, NotificationHandler, PublishAck } from "./bus.js";
import { type BusOptions, normalizeBusOptions } from "./bus-options.js";
import { createBusRules, requireStreams } from "./bus-rules.js";
import { callSafely } from "./call-safely.js";
import type { DeliveryContext } from "./delivery.js";
import {
  type ConsumerState,
  createConsumerState,
  discardConsumerState,
  startMemoryConsumer,
} from "./memory-consumer.js";
import { createMemoryStream, type MemoryStream } from "./memory-stream.js";
import { checkPattern, subjectMatches } from "./subject-match.js";
import { type BusTimers, systemTimers } from "./timers.js";

export interface MemoryBusOptions extends BusOptions {
  /** Time for dedupe, backoff and ack wait. Default: the system clock and real timers. */
  readonly timers?: BusTimers;
}

/**
 * The embedded bus: the same semantics as JetStream (sequences, dedupe window, explicit acks,
 * backoff, dead letters, per-partition order, replay, wildcard fan-out) held in this process's
 * memory. NOT durable: everything is gone when the process exits.
 */
export function createMemoryBus(options: MemoryBusOptions): Bus {
  const bus = normalizeBusOptions(options);
  const rules = createBusRules(bus);
  const timers = options.timers ?? systemTimers;
  const logger = bus.logger.child({ component: "bus", bus: "memory" });
  const streams = new Map<string, MemoryStream>();
  const states = new Map<string, ConsumerState>();
  const consumers = new Set<Consumer>();
  const subscriptions = new Set<{ pattern: string; handler: NotificationHandler }>();
  let ensured = false;
  let closed = false;
  let ephemeralCount = 0;

  const fanOut = (notification: Notification): void => {
    for (const sub of subscriptions) {
      if (!subjectMatches(sub.pattern, notification.subject)) continue;
      // Asynchronous like the network, and a throwing handler hurts nobody else.
      queueMicrotask(() => callSafely(sub.handler, notification, logger));
    }
  };

  const open = (): void => {
    if (closed) throw new SwitchboardError("UNAVAILABLE", "bus is closed");
  };

  const publish = async (
    subject: string,
    data: Uint8Array,
    o: { msgId: string; headers?: Readonly<Record<string, string>> },
  ): Promise<PublishAck> => {
    open();
    requireStreams(ensured);
    const spec = rules.checkPublish(subject, o.msgId, o.headers);
    const stream = streams.get(spec.name) as MemoryStream;
    const ack = stream.append(subject, data, o.headers ?? {}, o.msgId);
    if (!ack.duplicate) fanOut({ subject, data, headers: { ...o.headers } });
    return ack;
  };

  return {
    kind: "memory",
    subjects: rules.subjects,
    streams: rules.layout,
    async ensureStreams() {
      open();
      for (const spec of rules.allStreams) {
        if (!streams.has(spec.name)) {
          streams.set(spec.name, createMemoryStream(spec, timers, bus.duplicateWindowMs));
        }
      }
      ensured = true;
    },
    publish,
    async consume(consumeOptions, handler) {
      open();
      requireStreams(ensured);
      const config = rules.normalizeConsume(consumeOptions);
      const name = config.durable ?? `ephemeral-${++ephemeralCount}`;
      const key = `${config.stream.name}/${name}`;
      let state = states.get(key);
      if (state?.active) {
        throw new SwitchboardError("FAILED_PRECONDITION", `consumer ${name} is already running`);
      }
      if (state === undefined || config.deliverFromSeq !== undefined) {
        if (state !== undefined) discardConsumerState(state);
        state = createConsumerState(config);
        states.set(key, state);
      } else {
        state.config = config;
      }
      const ctx: DeliveryContext = {
        consumer: name,
        config,
        handler,
        subjects: rules.subjects,
        bus,
        logger: logger.child({ consumer: name }),
        publish,
      };
      const stream = streams.get(config.stream.name) as MemoryStream;
      const consumer = startMemoryConsumer(name, state, stream, timers, ctx, () => {
        consumers.delete(consumer);
        if (config.durable === undefined && state !== undefined) {
          discardConsumerState(state);
          states.delete(key);
        }
      });
      consumers.add(consumer);
      return consumer;
    },
    notify(subject, data, notifyOptions) {
      open();
      rules.checkNotify(subject, notifyOptions?.headers);
      fanOut({ subject, data: data.slice(), headers: { ...notifyOptions?.headers } });
    },
    onReconnect() {
      return () => {};
    },
    async subscribe(pattern, handler) {
      open();
      checkPattern(pattern);
      const sub = { pattern, handler };
      subscriptions.add(sub);
      return { unsubscribe: () => subscriptions.delete(sub) };
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...consumers].map((c) => c.stop()));
      subscriptions.clear();
      for (const state of states.values()) discardConsumerState(state);
    },
  };
}
