// An in-process Switchboard for integration tests: embedded bus and store, the real router,
// the real gateway with the given channel adapters, on free loopback ports, with typed gRPC
// clients. Adapter tests talk to it over the network with real clients (gRPC, HTTP, SMTP, ws).
import { createHash } from "node:crypto";
import type { DescService } from "@bufbuild/protobuf";
import { credentials } from "@grpc/grpc-js";
import {
  type Bus,
  type Config,
  createLogger,
  createMemoryBus,
  createMemoryStore,
  loadConfig,
  type Store,
  type TokenGrant,
} from "../../core/index.js";
import {
  type AdapterFactory,
  createGrpcClient,
  type Gateway,
  type GrpcClient,
  startGateway,
} from "../../gateway/index.js";
import { startRouter } from "../../router/index.js";
import { findFreePort } from "../harness/index.js";

export interface StackOptions {
  readonly adapters?: readonly AdapterFactory[];
  /** Extra command-line flags (e.g. `--allowed-origins`, `--twilio-auth-token`). */
  readonly argv?: readonly string[];
  /** API tokens seeded before start (sha256-hashed like --tokens-file). Default: open mode. */
  readonly tokens?: Readonly<Record<string, TokenGrant>>;
  /** Host adapters only (`switchboard adapter <channel>`): no router, no gRPC edge. */
  readonly adapterOnly?: boolean;
  /** Router options passed through (e.g. a short `engine` offer timeout). */
  readonly router?: Omit<Parameters<typeof startRouter>[0], "bus" | "store" | "logger">;
  /** Agent stream grace period. Default 10 000. */
  readonly agentGraceMs?: number;
}

export interface Stack {
  readonly config: Config;
  readonly bus: Bus;
  readonly store: Store;
  readonly gateway: Gateway;
  readonly grpcAddress: string;
  readonly httpUrl: string;
  /** The free port the email adapter's SMTP server was told to use. */
  readonly smtpPort: number;
  /** A typed client; with `token`, every call presents it as a bearer token. */
  client<S extends DescService>(service: S, token?: string): GrpcClient<S>;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const logger = createLogger({
    level: process.env.TEST_LOG_LEVEL === "debug" ? "debug" : "silent",
  });
  const bus = createMemoryBus({ logger });
  const store = createMemoryStore();
  for (const [token, grant] of Object.entries(options.tokens ?? {})) {
    await store.tokens.put(createHash("sha256").update(token).digest("hex"), grant);
  }
  const smtpPort = await findFreePort();
  const loaded = loadConfig({
    argv: ["--host", "127.0.0.1", "--smtp-port", String(smtpPort), ...(options.argv ?? [])],
    env: {},
  });
  const config: Config = { ...loaded, grpcPort: 0, httpPort: 0, shutdownTimeoutMs: 2000 };
  await bus.ensureStreams();
  const router = options.adapterOnly
    ? undefined
    : await startRouter({ bus, store, logger, tenants: config.tenants, ...options.router });
  const gateway = await startGateway({
    config,
    logger,
    checks: [],
    bus,
    store,
    edge: !options.adapterOnly,
    adapters: options.adapters ?? [],
    ...(options.agentGraceMs === undefined ? {} : { agentGraceMs: options.agentGraceMs }),
  }).catch(async (err: unknown) => {
    await router?.stop();
    throw err;
  });
  const grpcAddress = `127.0.0.1:${gateway.grpcPort}`;
  const clients: { close(): void }[] = [];
  return {
    config,
    bus,
    store,
    gateway,
    grpcAddress,
    httpUrl: `http://127.0.0.1:${gateway.httpPort}`,
    smtpPort,
    client(service, token) {
      const client = createGrpcClient(service, grpcAddress, credentials.createInsecure(), {
        defaultTimeoutMs: 10_000,
        ...(token === undefined ? {} : { token }),
      });
      clients.push(client);
      return client;
    },
    async stop() {
      for (const c of clients) c.close();
      await gateway.stop();
      await router?.stop();
      await bus.close();
      await store.close();
    },
  };
}
