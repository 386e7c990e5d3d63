import {
  type Bus,
  type Config,
  createJetStreamBus,
  createMemoryBus,
  createMemoryStore,
  createNatsHandle,
  createRedisHandle,
  createRedisStore,
  type HealthCheck,
  type Logger,
  type Store,
} from "../core/index.js";

/** The bus and store a process runs on, with their health checks and an ordered close. */
export interface Backends {
  readonly bus: Bus;
  readonly store: Store;
  readonly checks: readonly HealthCheck[];
  close(): Promise<void>;
}

/**
 * Embedded in-memory bus and store unless --nats-url / --redis-url are set. Real backends are
 * waited for at start (logged while waiting), so the roles above never see a half-connected
 * bus or a store whose first calls fail.
 */
export async function openBackends(config: Config, logger: Logger): Promise<Backends> {
  const closers: (() => Promise<void>)[] = [];
  const checks: HealthCheck[] = [];
  const close = async () => {
    for (const c of closers.reverse())
      await c().catch((err: unknown) => logger.error({ err }, "close failed"));
  };
  try {
    let bus: Bus;
    if (config.natsUrl === undefined) {
      bus = createMemoryBus({ logger });
    } else {
      const nats = createNatsHandle({ url: config.natsUrl, logger });
      closers.push(() => nats.close());
      checks.push(nats.health);
      logger.info("waiting for NATS");
      bus = createJetStreamBus({ connection: await nats.connected, logger });
    }
    closers.push(() => bus.close());
    await bus.ensureStreams();

    let store: Store;
    if (config.redisUrl === undefined) {
      store = createMemoryStore();
    } else {
      const redis = createRedisHandle({ url: config.redisUrl, logger });
      closers.push(() => redis.close());
      checks.push(redis.health);
      logger.info("waiting for Redis");
      await redis.ready;
      store = createRedisStore({ client: redis.client, logger });
    }
    closers.push(() => store.close());
    return { bus, store, checks, close };
  } catch (err) {
    await close();
    throw err;
  }
}
