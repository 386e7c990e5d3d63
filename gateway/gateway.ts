import type { DescService } from "@bufbuild/protobuf";
import type { Config, HealthCheck, Logger } from "../core/index.js";
import {
  AdminService,
  AgentService,
  ContactService,
  file_grpc_health_v1_health,
  Health,
  KioskService,
  StatsService,
} from "../proto/index.js";
import { addService } from "./grpc/adapter.js";
import { startGrpcServer } from "./grpc-server.js";
import { createHealthMonitor } from "./health-monitor.js";
import { createHealthService } from "./health-service.js";
import { startOpsHttpServer } from "./http-server.js";
import { createGatewayMetrics } from "./metrics.js";
import { toServiceError } from "./status.js";
import { serverCredentials } from "./tls.js";
import { createUnimplementedService } from "./unimplemented.js";

export interface GatewayOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** Dependencies whose health decides SERVING / NOT_SERVING and /readyz. */
  readonly checks: readonly HealthCheck[];
}

export interface Gateway {
  readonly grpcPort: number;
  readonly httpPort: number;
  /** Drains: NOT_SERVING first, then stop accepting, let in-flight calls finish, close. */
  stop(): Promise<void>;
}

/** Every switchboard.v1 service and the issue that builds it. */
const SERVICES: readonly (readonly [DescService, string])[] = [
  [ContactService, "issue #5, pipeline"],
  [AgentService, "issue #5, pipeline"],
  [AdminService, "issue #5, pipeline"],
  [StatsService, "issue #8, KPIs"],
  [KioskService, "issue #7, kiosk adapter"],
];

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { config } = options;
  const logger = options.logger.child({ component: "gateway" });
  const credentials = serverCredentials(config);
  const metrics = createGatewayMetrics();
  const health = await createHealthMonitor({ checks: options.checks, logger });
  const implOptions = { toStatus: toServiceError, defaultDeadlineMs: config.grpcDefaultDeadlineMs };

  const grpc = await startGrpcServer({
    host: config.host,
    port: config.grpcPort,
    maxMessageBytes: config.grpcMaxMessageBytes,
    credentials,
    metrics,
    logger: options.logger,
    register(server) {
      addService(
        server,
        Health,
        createHealthService(
          health,
          SERVICES.map(([s]) => s),
        ),
        implOptions,
      );
      for (const [service, note] of SERVICES) {
        addService(server, service, createUnimplementedService(service, note), implOptions);
      }
    },
    reflectionFiles: [...SERVICES.map(([s]) => s.file), file_grpc_health_v1_health],
  }).catch((err: unknown) => {
    health.close();
    throw err;
  });
  const http = await startOpsHttpServer({
    host: config.host,
    port: config.httpPort,
    health,
    metrics,
    logger: options.logger,
  }).catch(async (err: unknown) => {
    await grpc.shutdown(0);
    health.close();
    throw err;
  });

  return {
    grpcPort: grpc.port,
    httpPort: http.port,
    async stop() {
      health.startDraining();
      // Health Watch streams would otherwise hold the drain open until the deadline.
      health.close();
      await grpc.shutdown(config.shutdownTimeoutMs);
      await http.close();
    },
  };
}
