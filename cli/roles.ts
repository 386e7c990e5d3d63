import {
  type Config,
  createNatsHandle,
  createRedisHandle,
  ErrorCode,
  type HealthCheck,
  type Logger,
  SwitchboardError,
} from "../core/index.js";
import { startGateway } from "../gateway/index.js";

export interface RunningRoles {
  /** Drains and stops everything started, in reverse order. */
  stop(): Promise<void>;
}

const NOT_BUILT: Partial<Record<Config["role"], string>> = {
  router: "the router service (issue #5, pipeline)",
  adapter: "the channel adapters (issues #6 email/web and #7 phone/kiosk)",
  bench: "the bench role; run `npm run bench:router` for the router engine benchmark",
};

export async function startRoles(config: Config, logger: Logger): Promise<RunningRoles> {
  const missing = NOT_BUILT[config.role];
  if (missing !== undefined) {
    throw new SwitchboardError(
      ErrorCode.Unimplemented,
      `role "${config.role}" is not built yet: ${missing}`,
    );
  }
  const stops: (() => Promise<void>)[] = [];
  const checks: HealthCheck[] = [];
  if (config.natsUrl !== undefined) {
    const nats = createNatsHandle({ url: config.natsUrl, logger });
    stops.push(() => nats.close());
    checks.push(nats.health);
  }
  if (config.redisUrl !== undefined) {
    const redis = createRedisHandle({ url: config.redisUrl, logger });
    stops.push(() => redis.close());
    checks.push(redis.health);
  }
  logger.info(
    {
      role: config.role,
      bus: config.natsUrl === undefined ? "embedded (in memory)" : "nats",
      store: config.redisUrl === undefined ? "embedded (in memory)" : "redis",
    },
    "starting switchboard",
  );
  try {
    const gateway = await startGateway({ config, logger, checks });
    stops.push(() => gateway.stop());
    logger.info(
      { grpcPort: gateway.grpcPort, httpPort: gateway.httpPort },
      `switchboard ready: gRPC on ${config.host}:${gateway.grpcPort}, HTTP on ${config.host}:${gateway.httpPort} (/healthz /readyz /metrics)`,
    );
  } catch (err) {
    await stopAll(stops, logger);
    if (err instanceof Error && "code" in err && err.code === "EADDRINUSE") {
      throw new SwitchboardError(ErrorCode.Unavailable, `cannot listen: ${err.message}`, {
        cause: err,
      });
    }
    throw err;
  }
  return { stop: () => stopAll(stops, logger) };
}

async function stopAll(stops: (() => Promise<void>)[], logger: Logger): Promise<void> {
  for (const stop of stops.reverse()) {
    try {
      await stop();
    } catch (err) {
      logger.error({ err }, "error while stopping a component");
    }
  }
}
