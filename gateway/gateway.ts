import type { DescService } from "@bufbuild/protobuf";
import {
  type Bus,
  type Clock,
  type Config,
  createContactIntake,
  createConversations,
  createIdGenerator,
  createMemoryBus,
  createMemoryStore,
  type HealthCheck,
  type Logger,
  readRecord,
  type Store,
  systemClock,
} from "../core/index.js";
import {
  AdminService,
  AgentService,
  ContactService,
  file_grpc_health_v1_health,
  Health,
  KioskService,
  StatsService,
} from "../proto/index.js";
import type { AdapterContext, AdapterFactory, RunningAdapter } from "./adapter-host.js";
import { createAuthenticator, seedTokensFile, withAuth } from "./auth/index.js";
import { addService } from "./grpc/adapter.js";
import { startGrpcServer } from "./grpc-server.js";
import { createHealthMonitor } from "./health-monitor.js";
import { createHealthService } from "./health-service.js";
import { startOpsHttpServer } from "./http-server.js";
import { createGatewayMetrics } from "./metrics.js";
import { createAdminService } from "./services/admin-service.js";
import { deliverCustomerConversation } from "./services/agent-conversation.js";
import { createAgentService } from "./services/agent-service.js";
import { startAgentSessions } from "./services/agent-sessions.js";
import { createCommandClock } from "./services/command-time.js";
import { startContactEventHub } from "./services/contact-event-hub.js";
import { createContactService } from "./services/contact-service.js";
import type { ServiceContext } from "./services/service-context.js";
import { toServiceError } from "./status.js";
import { serverCredentials } from "./tls.js";
import { createUnimplementedService } from "./unimplemented.js";

export interface GatewayOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** Dependencies whose health decides SERVING / NOT_SERVING and /readyz. */
  readonly checks: readonly HealthCheck[];
  /**
   * Where contact and agent commands go and offers and events come from. Default: an
   * embedded in-memory bus owned (and closed) by the gateway, useful only with an in-process
   * router on the same bus — pass the process's bus.
   */
  readonly bus?: Bus;
  /** Tokens, configuration, contact records. Default: an embedded in-memory store. */
  readonly store?: Store;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** A dropped agent stream publishes AgentDisconnected after this long. Default 10 000. */
  readonly agentGraceMs?: number;
  /** An agent stream must send hello within this long. Default 10 000. */
  readonly helloTimeoutMs?: number;
  /** How long an idempotency key returns its first contact. Default 86 400 000 (24 h). */
  readonly idempotencyTtlMs?: number;
  /** How long CancelContact waits for the router's CANCELLED event. Default 5000. */
  readonly cancelWaitMs?: number;
  /** Names this process in AgentConnected/AgentDisconnected. Default: a new UUIDv7. */
  readonly gatewayId?: string;
  /** Channel adapters to host (their HTTP routes and gRPC services join this gateway's). */
  readonly adapters?: readonly AdapterFactory[];
  /**
   * Serve the gRPC edge (ContactService, AgentService, AdminService, StatsService). Default
   * true; false for a process that only hosts adapters (`switchboard adapter <channel>`):
   * health, reflection and the adapters' own services.
   */
  readonly edge?: boolean;
}

export interface Gateway {
  readonly grpcPort: number;
  readonly httpPort: number;
  /** Drains: NOT_SERVING first, then stop accepting, let in-flight calls finish, close. */
  stop(): Promise<void>;
}

/** Every switchboard.v1 service this gateway hosts. */
const SERVICES: readonly DescService[] = [
  ContactService,
  AgentService,
  AdminService,
  StatsService,
  KioskService,
];

/** Services not built yet, and the issue that builds them. */
const PLACEHOLDERS: readonly (readonly [DescService, string])[] = [
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
  const clock = options.clock ?? systemClock;
  const ids = createIdGenerator(clock);
  const shutdown = new AbortController();
  const bus = options.bus ?? createMemoryBus({ logger });
  const store = options.store ?? createMemoryStore({ clock });
  const closeOwned = async () => {
    if (options.bus === undefined) await bus.close();
    if (options.store === undefined) await store.close();
  };

  try {
    await bus.ensureStreams();
    if (config.tokensFile !== undefined) await seedTokensFile(config.tokensFile, store, logger);
  } catch (err) {
    await closeOwned();
    health.close();
    throw err;
  }
  const auth = createAuthenticator({ store, logger, clock });
  const commandTime = createCommandClock(clock);
  const ctx: ServiceContext = {
    bus,
    store,
    intake: createContactIntake({
      bus,
      store,
      clock,
      ids,
      commandTime,
      idempotencyTtlMs: options.idempotencyTtlMs ?? 86_400_000,
    }),
    conversations: createConversations({ bus, store, clock }),
    auth,
    logger,
    clock,
    commandTime,
    ids,
    gatewayId: options.gatewayId ?? ids.next(),
    shutdown: shutdown.signal,
  };
  const hub = await startContactEventHub(
    bus,
    logger,
    async (tenant, contactId) =>
      (await readRecord(store.forTenant(tenant), contactId))?.record.lastEvent,
  );
  const sessions = await startAgentSessions(ctx, options.agentGraceMs ?? 10_000);
  const conversation = await deliverCustomerConversation(ctx, sessions.holding);
  const agents = createAgentService(ctx, sessions, {
    helloTimeoutMs: options.helloTimeoutMs ?? 10_000,
  });
  const contacts = createContactService(ctx, hub, {
    cancelWaitMs: options.cancelWaitMs ?? 5000,
  });
  const running: RunningAdapter[] = [];
  const stopAdapters = async () => {
    for (const adapter of running.splice(0).reverse()) {
      await adapter.stop().catch((err: unknown) => {
        logger.error({ err, adapter: adapter.name }, "adapter did not stop cleanly");
      });
    }
  };
  const closeServices = async () => {
    shutdown.abort();
    await stopAdapters();
    hub.close();
    for (const subscription of conversation) subscription.unsubscribe();
    await sessions.close();
    await closeOwned();
  };
  try {
    const adapterContext: AdapterContext = {
      config,
      logger: options.logger,
      bus,
      store,
      clock,
      ids,
      intake: ctx.intake,
      conversations: ctx.conversations,
      metrics: metrics.registry,
      shutdown: shutdown.signal,
    };
    for (const start of options.adapters ?? []) running.push(await start(adapterContext));
  } catch (err) {
    await closeServices();
    health.close();
    throw err;
  }
  const edge = options.edge ?? true;
  const adapterServices = running.flatMap((a) => a.grpc ?? []);
  const hosted = [
    ...(edge ? SERVICES : []),
    ...adapterServices.map((r) => r.service).filter((s) => !SERVICES.includes(s)),
  ];

  const grpc = await startGrpcServer({
    host: config.host,
    port: config.grpcPort,
    maxMessageBytes: config.grpcMaxMessageBytes,
    credentials,
    metrics,
    logger: options.logger,
    register(server) {
      addService(server, Health, createHealthService(health, hosted), implOptions);
      for (const { service, impl } of adapterServices)
        addService(server, service, impl, implOptions);
      if (!edge) return;
      addService(server, ContactService, withAuth(ContactService, contacts, auth), implOptions);
      addService(
        server,
        AgentService,
        // The token may come in AgentHello instead of metadata; connect checks it there.
        withAuth(AgentService, agents, auth, { deferred: ["connect"] }),
        implOptions,
      );
      addService(
        server,
        AdminService,
        withAuth(AdminService, createAdminService(ctx), auth),
        implOptions,
      );
      for (const [service, note] of PLACEHOLDERS) {
        if (adapterServices.some((r) => r.service === service)) continue;
        addService(server, service, createUnimplementedService(service, note), implOptions);
      }
    },
    reflectionFiles: [...hosted.map((s) => s.file), file_grpc_health_v1_health],
  }).catch(async (err: unknown) => {
    await closeServices();
    health.close();
    throw err;
  });
  const http = await startOpsHttpServer({
    host: config.host,
    port: config.httpPort,
    health,
    metrics,
    logger: options.logger,
    routes: running.flatMap((a) => (a.http === undefined ? [] : [a.http])),
  }).catch(async (err: unknown) => {
    await grpc.shutdown(0);
    await closeServices();
    health.close();
    throw err;
  });

  return {
    grpcPort: grpc.port,
    httpPort: http.port,
    async stop() {
      health.startDraining();
      // Health Watch, WatchContact and agent streams would otherwise hold the drain open.
      health.close();
      shutdown.abort();
      // Adapters stop taking contacts (SMTP, chat sockets, kiosk streams) and finish in-flight work.
      await stopAdapters();
      await grpc.shutdown(config.shutdownTimeoutMs);
      await http.close();
      await closeServices();
    },
  };
}
