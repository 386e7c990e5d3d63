import { ADAPTER_FACTORIES } from "../adapters/index.js";
import {
  ADAPTERS,
  type AdapterName,
  type Config,
  ErrorCode,
  type Logger,
  SwitchboardError,
} from "../core/index.js";
import {
  createGatewayMetrics,
  createHealthMonitor,
  startGateway,
  startOpsHttpServer,
} from "../gateway/index.js";
import { startRouter } from "../router/index.js";
import { type Backends, openBackends } from "./backends.js";

export interface RunningRoles {
  /** Drains and stops everything started, in reverse order. */
  stop(): Promise<void>;
}

const NOT_BUILT: Partial<Record<Config["role"], string>> = {
  bench: "the bench role; run `npm run bench:router` or `npm run bench:sim`",
};

type Stop = () => Promise<void>;

/**
 * Starts the components of a role on one bus and store: `all` = router + gateway + every
 * channel adapter in one process, `gateway` = the gRPC edge and ops HTTP, `router` = routing
 * with ops HTTP, `adapter <channel>` = one channel adapter with health, reflection and ops
 * HTTP. The router starts before the gateway so the first accepted contact has a router.
 */
export async function startRoles(config: Config, logger: Logger): Promise<RunningRoles> {
  const adapters = adaptersOf(config);
  const missing = NOT_BUILT[config.role];
  if (missing !== undefined) {
    throw new SwitchboardError(
      ErrorCode.Unimplemented,
      `role "${config.role}" is not built yet: ${missing}`,
    );
  }
  logger.info(
    {
      role: config.role,
      bus: config.natsUrl === undefined ? "embedded (in memory, not durable)" : "nats",
      store: config.redisUrl === undefined ? "embedded (in memory, not durable)" : "redis",
    },
    "starting switchboard",
  );
  const backends = await openBackends(config, logger);
  const stops: Stop[] = [() => backends.close()];
  try {
    if (config.role === "all" || config.role === "router") {
      const router = await startRouter({
        bus: backends.bus,
        store: backends.store,
        logger,
        tenants: config.tenants,
      });
      stops.push(() => router.stop());
    }
    if (config.role === "all" || config.role === "gateway" || config.role === "adapter") {
      stops.push(await startGatewayRole(config, logger, backends, adapters));
    } else {
      stops.push(await startOpsOnly(config, logger, backends));
    }
  } catch (err) {
    await stopAll(stops, logger);
    throw err;
  }
  return { stop: () => stopAll(stops, logger) };
}

/** The adapters a role hosts: all of them for `all`, the named one for `adapter`. */
function adaptersOf(config: Config): readonly AdapterName[] {
  if (config.role === "all") return ADAPTERS;
  return config.role === "adapter" && config.adapter !== undefined ? [config.adapter] : [];
}

async function startGatewayRole(
  config: Config,
  logger: Logger,
  backends: Backends,
  adapters: readonly AdapterName[],
): Promise<Stop> {
  const gateway = await startGateway({
    config,
    logger,
    checks: backends.checks,
    bus: backends.bus,
    store: backends.store,
    edge: config.role !== "adapter",
    adapters: adapters.map((name) => ADAPTER_FACTORIES[name]),
  });
  logger.info(
    { grpcPort: gateway.grpcPort, httpPort: gateway.httpPort, adapters },
    `switchboard ready: gRPC on ${config.host}:${gateway.grpcPort}, HTTP on ${config.host}:${gateway.httpPort} (/healthz /readyz /metrics)`,
  );
  return () => gateway.stop();
}

/** A router-only process still answers /healthz, /readyz and /metrics for its orchestrator. */
async function startOpsOnly(config: Config, logger: Logger, backends: Backends): Promise<Stop> {
  const health = await createHealthMonitor({ checks: backends.checks, logger });
  const http = await startOpsHttpServer({
    host: config.host,
    port: config.httpPort,
    health,
    metrics: createGatewayMetrics(),
    logger,
  }).catch((err: unknown) => {
    health.close();
    throw err;
  });
  logger.info(
    { httpPort: http.port },
    `switchboard router ready: HTTP on ${config.host}:${http.port}`,
  );
  return async () => {
    health.startDraining();
    health.close();
    await http.close();
  };
}

async function stopAll(stops: Stop[], logger: Logger): Promise<void> {
  for (const stop of stops.reverse()) {
    try {
      await stop();
    } catch (err) {
      logger.error({ err }, "error while stopping a component");
    }
  }
}
