import type { Logger } from "../log.js";
import type { BusHeaders, BusMessage, DeadLetter, MessageHandler, PublishAck } from "./bus.js";
import type { NormalizedBusOptions } from "./bus-options.js";
import { headerSafe, type NormalizedConsume } from "./bus-rules.js";
import type { SubjectScheme } from "./subjects.js";

/** Headers on a dead-lettered message; the original headers (except Nats-*) are kept too. */
export const DeadLetterHeaders = {
  reason: "Sb-Dlq-Reason",
  subject: "Sb-Dlq-Subject",
  stream: "Sb-Dlq-Stream",
  seq: "Sb-Dlq-Seq",
  deliveryCount: "Sb-Dlq-Delivery-Count",
  consumer: "Sb-Dlq-Consumer",
  msgId: "Sb-Dlq-Msg-Id",
} as const;

/** How a consumer settles one delivery; each implementation maps these to its own acks. */
export interface Settle {
  ack(): void;
  nak(delayMs: number): void;
  term(): void;
}

export interface DeliveryContext {
  readonly consumer: string;
  readonly config: NormalizedConsume;
  readonly handler: MessageHandler;
  readonly subjects: SubjectScheme;
  readonly bus: NormalizedBusOptions;
  readonly logger: Logger;
  /** The bus's own durable publish, used to store the dead letter. */
  readonly publish: (
    subject: string,
    data: Uint8Array,
    options: { msgId: string; headers: BusHeaders },
  ) => Promise<PublishAck>;
}

/**
 * One delivery, start to finish: run the handler, then ack; on failure nak with the backoff for
 * this attempt; on the last attempt store the message in the dead-letter stream, then term.
 * A delivery beyond `maxDeliver` (the handler hung past ackWait, or the dead-letter publish
 * failed last time) is dead-lettered without calling the handler again. The server itself is
 * told to redeliver forever, so no message is ever dropped without a dead letter.
 */
export async function handleDelivery(
  ctx: DeliveryContext,
  message: BusMessage,
  settle: Settle,
): Promise<void> {
  const { maxDeliver, backoffMs } = ctx.config;
  let reason: string;
  if (message.deliveryCount > maxDeliver) {
    reason = `delivered ${message.deliveryCount} times, more than maxDeliver ${maxDeliver}`;
  } else {
    try {
      await ctx.handler(message);
      settle.ack();
      return;
    } catch (error) {
      reason = (error instanceof Error ? error.message : String(error)) || "handler failed";
    }
    if (message.deliveryCount < maxDeliver) {
      const delayMs = backoffMs[Math.min(message.deliveryCount, backoffMs.length) - 1] ?? 0;
      ctx.logger.debug({ seq: message.seq, delayMs, err: reason }, "handler failed; nak");
      settle.nak(delayMs);
      return;
    }
  }
  const deadLetter: DeadLetter = {
    consumer: ctx.consumer,
    stream: message.stream,
    subject: message.subject,
    seq: message.seq,
    deliveryCount: message.deliveryCount,
    reason,
  };
  try {
    await ctx.publish(ctx.subjects.deadLetter(message.subject), message.data, {
      // One dead letter per message and consumer, even if we crash before `term` and retry.
      msgId: `dlq-${ctx.consumer}-${message.stream}-${message.seq}`,
      headers: deadLetterHeaders(message, deadLetter),
    });
  } catch (error) {
    // Not stored, so not terminated: it comes back and we try the dead-letter stream again.
    ctx.logger.warn({ err: error, seq: message.seq }, "dead-letter publish failed; will retry");
    settle.nak(backoffMs[backoffMs.length - 1] ?? 0);
    return;
  }
  settle.term();
  ctx.logger.warn({ ...deadLetter }, "message dead-lettered");
  ctx.bus.deadLetterCounter?.inc({ consumer: ctx.consumer });
  ctx.bus.onDeadLetter?.(deadLetter);
}

function deadLetterHeaders(message: BusMessage, dl: DeadLetter): BusHeaders {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.headers)) {
    if (!/^nats-/i.test(k)) headers[k] = v;
  }
  headers[DeadLetterHeaders.reason] = headerSafe(dl.reason);
  headers[DeadLetterHeaders.subject] = dl.subject;
  headers[DeadLetterHeaders.stream] = dl.stream;
  headers[DeadLetterHeaders.seq] = String(dl.seq);
  headers[DeadLetterHeaders.deliveryCount] = String(dl.deliveryCount);
  headers[DeadLetterHeaders.consumer] = dl.consumer;
  if (message.msgId !== undefined) headers[DeadLetterHeaders.msgId] = message.msgId;
  return headers;
}

/** The partition of a message; a throwing key function must not lose the message. */
export function partitionOf(
  message: BusMessage,
  config: NormalizedConsume,
  ctx: DeliveryContext,
): string {
  try {
    return config.partitionKey(message);
  } catch (error) {
    ctx.logger.error({ err: error, seq: message.seq }, "partitionKey threw");
    return "";
  }
}
