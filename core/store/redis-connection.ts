import { Redis } from "ioredis";
import type { HealthCheck } from "../health-check.js";
import type { Logger } from "../log.js";

/**
 * One Redis client for the process. ioredis reconnects by itself; we cap its backoff, make
 * commands fail fast while disconnected (callers retry at their level), and log transitions
 * instead of letting ioredis print unhandled error events.
 */
export interface RedisHandle {
  readonly client: Redis;
  /** Resolves once the first connection is ready (ioredis keeps retrying until then). */
  readonly ready: Promise<void>;
  readonly health: HealthCheck;
  close(): Promise<void>;
}

export interface RedisHandleOptions {
  readonly url: string;
  readonly logger: Logger;
  /** Longest wait between reconnect attempts; default 5000. */
  readonly maxReconnectDelayMs?: number;
}

export function createRedisHandle(options: RedisHandleOptions): RedisHandle {
  const logger = options.logger.child({ component: "redis" });
  const maxDelayMs = options.maxReconnectDelayMs ?? 5000;
  const client = new Redis(options.url, {
    connectionName: "switchboard",
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    // Commands issued in the same tick go out in one write: one syscall instead of one each.
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 10), maxDelayMs),
  });
  let lastError = "";
  client.on("ready", () => {
    lastError = "";
    logger.info("redis ready");
  });
  client.on("error", (err: Error) => {
    // ioredis repeats the same error on every retry; log each distinct one once.
    if (err.message !== lastError) logger.warn({ err: err.message }, "redis error");
    lastError = err.message;
  });
  const ready = new Promise<void>((resolve) => {
    if (client.status === "ready") resolve();
    else client.once("ready", () => resolve());
  });
  client.on("reconnecting", (delayMs: number) => logger.debug({ delayMs }, "redis reconnecting"));

  return {
    client,
    ready,
    health: {
      name: "redis",
      async check() {
        if (client.status !== "ready") throw new Error(lastError || `connection ${client.status}`);
        await client.ping();
      },
    },
    async close() {
      if (client.status === "end") return;
      await client.quit().catch(() => client.disconnect());
    },
  };
}
