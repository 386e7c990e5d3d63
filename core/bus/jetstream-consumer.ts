import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  nanos,
} from "nats";
import { SwitchboardError } from "../errors.js";
import type { BusMessage, Consumer } from "./bus.js";
import type { NormalizedConsume } from "./bus-rules.js";
import { type DeliveryContext, handleDelivery, partitionOf } from "./delivery.js";
import { apiErrorCode, fromNatsError, JsApiCode } from "./nats-errors.js";
import { fromNatsHeaders } from "./nats-headers.js";
import { createPartitionDispatcher } from "./partition-dispatcher.js";

/** An ephemeral consumer outlives a client that is away this long (e.g. reconnecting). */
const ephemeralInactiveMs = 60_000;

/**
 * A pull consumer (`consume()` with a callback, so messages go straight into the partition
 * dispatcher; JetStream's max_ack_pending is the backpressure). The server is told to redeliver
 * without limit; `maxDeliver` is enforced in `handleDelivery`, which dead-letters instead of
 * letting the server drop the message.
 */
export async function startJetStreamConsumer(
  js: JetStreamClient,
  jsm: JetStreamManager,
  config: NormalizedConsume,
  ctx: Omit<DeliveryContext, "consumer">,
  serverVersion: string,
): Promise<Consumer> {
  if (config.filterSubjects.length > 1 && !atLeast(serverVersion, 2, 10)) {
    throw new SwitchboardError(
      "UNIMPLEMENTED",
      `several filterSubjects need nats-server ≥ 2.10 (this one is ${serverVersion})`,
    );
  }
  const name = await ensureConsumer(jsm, config);
  const delivery: DeliveryContext = {
    ...ctx,
    consumer: name,
    logger: ctx.logger.child({ consumer: name }),
  };
  const dispatcher = createPartitionDispatcher<{ message: BusMessage; msg: JsMsg }>({
    concurrency: config.concurrency,
    keyOf: (d) => partitionOf(d.message, config, delivery),
    run: ({ message, msg }) =>
      handleDelivery(delivery, message, {
        ack: () => msg.ack(),
        nak: (delayMs) => msg.nak(delayMs),
        term: () => msg.term(),
      }),
    onError: (err, d) => delivery.logger.error({ err, seq: d.message.seq }, "delivery failed"),
  });

  const consumer = await js.consumers.get(config.stream.name, name);
  const messages = await consumer.consume({
    max_messages: Math.min(config.maxAckPending, 256),
    callback: (msg) => {
      const { headers, msgId } = fromNatsHeaders(msg.headers);
      const message: BusMessage = {
        subject: msg.subject,
        data: msg.data,
        headers,
        msgId,
        stream: config.stream.name,
        seq: msg.seq,
        deliveryCount: msg.info.redeliveryCount,
        redelivered: msg.redelivered,
      };
      // Arrived while stopping: hand it straight back.
      if (!dispatcher.push({ message, msg })) msg.nak();
    },
  });
  void logStatus(messages.status(), delivery);

  let stopping: Promise<void> | undefined;
  return {
    name,
    stop() {
      stopping ??= (async () => {
        await messages.close();
        // Not started yet: back to the server now rather than after ackWait.
        for (const d of await dispatcher.drain()) d.msg.nak();
        if (config.durable === undefined) {
          await jsm.consumers.delete(config.stream.name, name).catch((err: unknown) => {
            delivery.logger.debug({ err }, "ephemeral consumer already gone");
          });
        }
      })();
      return stopping;
    },
  };
}

/** Creates the consumer, resets it for a replay, or applies editable changes; returns its name. */
async function ensureConsumer(jsm: JetStreamManager, config: NormalizedConsume): Promise<string> {
  const stream = config.stream.name;
  const filters = config.filterSubjects;
  const wanted: Partial<ConsumerConfig> = {
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(config.ackWaitMs),
    max_deliver: -1,
    max_ack_pending: config.maxAckPending,
    ...(filters.length === 1 && filters[0] !== undefined
      ? { filter_subject: filters[0] }
      : { filter_subjects: [...filters] }),
    ...(config.deliverFromSeq === undefined
      ? { deliver_policy: DeliverPolicy.All }
      : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: config.deliverFromSeq }),
  };
  try {
    if (config.durable === undefined) {
      const info = await jsm.consumers.add(stream, {
        ...wanted,
        inactive_threshold: nanos(ephemeralInactiveMs),
      });
      return info.name;
    }
    const durable = config.durable;
    let existing: ConsumerConfig | undefined;
    try {
      existing = (await jsm.consumers.info(stream, durable)).config;
    } catch (error) {
      if (apiErrorCode(error) !== JsApiCode.consumerNotFound) throw error;
    }
    if (existing !== undefined && config.deliverFromSeq !== undefined) {
      await jsm.consumers.delete(stream, durable);
      existing = undefined;
    }
    if (existing === undefined) {
      await jsm.consumers.add(stream, { ...wanted, durable_name: durable });
    } else if (differs(existing, wanted)) {
      // deliver_policy cannot change on a live consumer; it only matters at creation.
      const { deliver_policy: _, ...editable } = wanted;
      await jsm.consumers.update(stream, durable, { ...editable });
    }
    return durable;
  } catch (error) {
    throw fromNatsError(error, `consumer ${config.durable ?? "(ephemeral)"} on ${stream}`);
  }
}

function differs(existing: ConsumerConfig, wanted: Partial<ConsumerConfig>): boolean {
  const keys = ["ack_wait", "max_deliver", "max_ack_pending", "filter_subject", "filter_subjects"];
  return keys.some(
    (k) =>
      JSON.stringify(existing[k as keyof ConsumerConfig] ?? null) !==
      JSON.stringify(wanted[k as keyof ConsumerConfig] ?? null),
  );
}

function atLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split(".").map((n) => Number.parseInt(n, 10));
  return a > major || (a === major && b >= minor);
}

async function logStatus(
  status: Promise<AsyncIterable<{ type: string; data: unknown }>>,
  ctx: DeliveryContext,
): Promise<void> {
  try {
    for await (const s of await status) {
      if (s.type === "debug" || s.type === "next" || s.type === "discard") continue;
      ctx.logger.warn({ type: s.type, data: String(s.data) }, "consumer status");
    }
  } catch (err) {
    ctx.logger.debug({ err }, "consumer status ended");
  }
}
