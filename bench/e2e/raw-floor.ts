import { Redis } from "ioredis";
import { AckPolicy, connect, DeliverPolicy, type NatsConnection, StorageType } from "nats";
import { percentile, runOpenLoop, settle } from "./open-loop.js";

export interface FloorResult {
  readonly name: "raw-floor";
  readonly sent: number;
  readonly received: number;
  readonly publishErrors: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
}

// One reservation-shaped script: a compare-and-set on a key, like the real reserve script's
// cheapest path; the floor is one round trip to Redis, not a realistic amount of work.
const SCRIPT = `local v = redis.call('HINCRBY', KEYS[1], 'n', 1)
redis.call('HSET', KEYS[1], 'last', ARGV[1])
return v`;

/**
 * The same trip without Switchboard code: JetStream publish (awaiting the ack) → a durable
 * pull consumer → one Redis EVAL → core NATS publish → a subscriber, at the same rate. The
 * consumer handles messages concurrently, as Switchboard must. Runs in this process.
 */
export async function measureRawFloor(
  natsUrl: string,
  redisUrl: string,
  ratePerSec: number,
  seconds: number,
): Promise<FloorResult> {
  const producer = await connect({ servers: natsUrl, name: "floor-producer" });
  const worker = await connect({ servers: natsUrl, name: "floor-worker" });
  const redis = new Redis(redisUrl);
  try {
    const jsm = await producer.jetstreamManager();
    await jsm.streams.add({ name: "FLOOR", subjects: ["floor.in"], storage: StorageType.File });
    await jsm.consumers.add("FLOOR", {
      durable_name: "floor",
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_ack_pending: 10_000,
    });
    const latencies: number[] = [];
    const sentAt = new Map<number, number>();
    const sub = producer.subscribe("floor.out", {
      callback: (_err, msg) => {
        const i = new DataView(msg.data.buffer, msg.data.byteOffset).getUint32(0);
        const t0 = sentAt.get(i);
        if (t0 !== undefined) latencies.push(performance.now() - t0);
      },
    });
    await producer.flush();
    const stop = await consumeAndForward(worker, redis);
    const js = producer.jetstream();
    let errors = 0;
    await runOpenLoop(ratePerSec, seconds, (i, scheduledAt) => {
      sentAt.set(i, scheduledAt);
      const data = new Uint8Array(64);
      new DataView(data.buffer).setUint32(0, i);
      js.publish("floor.in", data, { msgID: `floor-${i}` }).catch(() => errors++);
    });
    const sent = Math.round(ratePerSec * seconds);
    await settle(() => latencies.length, sent, 3_000, 30_000);
    stop();
    sub.unsubscribe();
    return {
      name: "raw-floor",
      sent,
      received: latencies.length,
      publishErrors: errors,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      p999Ms: percentile(latencies, 99.9),
    };
  } finally {
    await producer.close();
    await worker.close();
    redis.disconnect();
  }
}

async function consumeAndForward(nc: NatsConnection, redis: Redis): Promise<() => void> {
  const consumer = await nc.jetstream().consumers.get("FLOOR", "floor");
  const messages = await consumer.consume({ max_messages: 1_000 });
  const loop = async () => {
    for await (const m of messages) {
      // Not awaited: messages are processed concurrently, each acked after its forward.
      redis
        .eval(SCRIPT, 1, "floor:agent", String(m.seq))
        .then(() => {
          nc.publish("floor.out", m.data);
          m.ack();
        })
        .catch(() => m.nak());
    }
  };
  loop().catch((err: unknown) => console.error("floor consumer failed", err));
  return () => {
    messages.stop();
  };
}
