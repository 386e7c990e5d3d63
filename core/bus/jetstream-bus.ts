import {
  type JetStreamManager,
  type NatsConnection,
  type Subscription as NatsSubscription,
  headers as natsHeaders,
} from "nats";
import { SwitchboardError } from "../errors.js";
import type { Bus, Consumer, PublishAck } from "./bus.js";
import { type BusOptions, normalizeBusOptions } from "./bus-options.js";
import { createBusRules, requireStreams } from "./bus-rules.js";
import { callSafely } from "./call-safely.js";
import { startJetStreamConsumer } from "./jetstream-consumer.js";
import { ensureJetStreams } from "./jetstream-streams.js";
import { fromNatsError } from "./nats-errors.js";
import { fromNatsHeaders, msgIdHeader, toNatsHeaders } from "./nats-headers.js";
import { createPubAcks } from "./pub-acks.js";
import { checkPattern } from "./subject-match.js";

export interface JetStreamBusOptions extends BusOptions {
  /**
   * A connected NATS connection, normally `createNatsHandle(...).connected`, whose unlimited
   * jittered reconnect this bus relies on. The bus does not close it.
   */
  readonly connection: NatsConnection;
  /** Stream replicas (≤ cluster size). Default 1. */
  readonly replicas?: number;
  /** Stream storage. Default "file". */
  readonly storage?: "file" | "memory";
  /**
   * Longest wait for a PubAck (and for JetStream API calls) before rejecting with UNAVAILABLE,
   * so a publish during an outage fails instead of hanging. Default 5000.
   */
  readonly publishTimeoutMs?: number;
}

export const jetStreamDefaults = { replicas: 1, storage: "file", publishTimeoutMs: 5000 } as const;

/** The production bus on NATS JetStream. */
export function createJetStreamBus(options: JetStreamBusOptions): Bus {
  const bus = normalizeBusOptions(options);
  const rules = createBusRules(bus);
  const nc = options.connection;
  const timeout = options.publishTimeoutMs ?? jetStreamDefaults.publishTimeoutMs;
  const logger = bus.logger.child({ component: "bus", bus: "jetstream" });
  const js = nc.jetstream({ timeout });
  const pubAcks = createPubAcks(nc, timeout);
  const consumers = new Set<Consumer>();
  const subscriptions = new Set<NatsSubscription>();
  let jsm: JetStreamManager | undefined;
  let closed = false;
  // Known to be cut off: refuse at once instead of buffering a publish that may go out late.
  let disconnected = false;
  const reconnectListeners = new Set<() => void>();
  void (async () => {
    for await (const s of nc.status()) {
      if (closed) break;
      if (s.type === "disconnect") disconnected = true;
      else if (s.type === "reconnect") {
        disconnected = false;
        // Once the server has seen the resent SUBs, tell whoever keeps subscription-fed state.
        void nc.flush().then(
          () => {
            for (const listener of [...reconnectListeners]) {
              try {
                listener();
              } catch (err) {
                logger.error({ err }, "reconnect listener failed");
              }
            }
          },
          (err: unknown) => logger.warn({ err }, "flush after reconnect failed"),
        );
      }
    }
  })();

  const open = (): void => {
    if (closed) throw new SwitchboardError("UNAVAILABLE", "bus is closed");
    if (nc.isClosed()) throw new SwitchboardError("UNAVAILABLE", "nats connection is closed");
  };

  const publish = async (
    subject: string,
    data: Uint8Array,
    o: { msgId: string; headers?: Readonly<Record<string, string>> },
  ): Promise<PublishAck> => {
    open();
    requireStreams(jsm !== undefined);
    rules.checkPublish(subject, o.msgId, o.headers);
    if (disconnected) throw new SwitchboardError("UNAVAILABLE", "nats is disconnected");
    const headers = toNatsHeaders(o.headers) ?? natsHeaders();
    headers.set(msgIdHeader, o.msgId);
    return pubAcks.publish(subject, data, headers);
  };

  return {
    kind: "jetstream",
    subjects: rules.subjects,
    streams: rules.layout,
    async ensureStreams() {
      open();
      let manager: JetStreamManager;
      try {
        manager = await nc.jetstreamManager({ timeout });
      } catch (error) {
        throw fromNatsError(error, "jetstream");
      }
      await ensureJetStreams(
        manager,
        rules.allStreams,
        {
          replicas: options.replicas ?? jetStreamDefaults.replicas,
          storage: options.storage ?? jetStreamDefaults.storage,
          duplicateWindowMs: bus.duplicateWindowMs,
        },
        logger,
      );
      jsm = manager;
    },
    publish,
    async consume(consumeOptions, handler) {
      open();
      requireStreams(jsm !== undefined);
      const config = rules.normalizeConsume(consumeOptions);
      const ctx = { config, handler, subjects: rules.subjects, bus, logger, publish };
      const consumer = await startJetStreamConsumer(
        js,
        jsm as JetStreamManager,
        config,
        ctx,
        nc.info?.version ?? "0.0.0",
      );
      const tracked: Consumer = {
        name: consumer.name,
        stop: async () => {
          await consumer.stop();
          consumers.delete(tracked);
        },
      };
      consumers.add(tracked);
      return tracked;
    },
    notify(subject, data, notifyOptions) {
      open();
      rules.checkNotify(subject, notifyOptions?.headers);
      const headers = toNatsHeaders(notifyOptions?.headers);
      try {
        nc.publish(subject, data, headers === undefined ? undefined : { headers });
      } catch (error) {
        throw fromNatsError(error, `notify ${subject}`);
      }
    },
    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    async subscribe(pattern, handler) {
      open();
      checkPattern(pattern);
      const sub = nc.subscribe(pattern, {
        callback: (err, msg) => {
          if (err !== null) {
            logger.warn({ err, pattern }, "subscription error");
            return;
          }
          const { headers } = fromNatsHeaders(msg.headers);
          callSafely(handler, { subject: msg.subject, data: msg.data, headers }, logger);
        },
      });
      subscriptions.add(sub);
      try {
        // Once the server has seen the SUB, a publish from anywhere reaches this handler.
        await nc.flush();
      } catch (error) {
        throw fromNatsError(error, `subscribe ${pattern}`);
      }
      return {
        unsubscribe() {
          subscriptions.delete(sub);
          sub.unsubscribe();
        },
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...consumers].map((c) => c.stop()));
      pubAcks.close();
      for (const sub of subscriptions) sub.unsubscribe();
      subscriptions.clear();
    },
  };
}
