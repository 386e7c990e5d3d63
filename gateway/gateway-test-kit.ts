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
} from "../core/index.js";
import { sha256Hex } from "./auth/index.js";
import { type Gateway, type GatewayOptions, startGateway } from "./gateway.js";
import { createGrpcClient, type GrpcClient } from "./grpc/adapter.js";

/**
 * Test-only helpers for the gateway's service tests (and test/stack, which adds the router):
 * a gateway on free loopback ports over the given (or fresh in-memory) bus and store, and
 * typed clients that present a token. Kept free of vitest and the harness so the
 * import-boundary rules hold.
 */
export interface TestGateway {
  readonly config: Config;
  readonly gateway: Gateway;
  readonly bus: Bus;
  readonly store: Store;
  readonly address: string;
  client<S extends DescService>(service: S, token?: string): GrpcClient<S>;
  stop(): Promise<void>;
}

export interface TestGatewayOptions extends Partial<Omit<GatewayOptions, "config" | "logger">> {
  /** Seeded before start (only the hash is stored). */
  readonly tokens?: Readonly<Record<string, TokenGrant>>;
  readonly argv?: readonly string[];
}

export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const logger = createLogger({
    level: process.env.TEST_LOG_LEVEL === "debug" ? "debug" : "silent",
  });
  const bus = options.bus ?? createMemoryBus({ logger });
  const store = options.store ?? createMemoryStore();
  for (const [token, grant] of Object.entries(options.tokens ?? {})) {
    await store.tokens.put(sha256Hex(token), grant);
  }
  const loaded = loadConfig({
    argv: ["--host", "127.0.0.1", "--grpc-port", "1", "--http-port", "2", ...(options.argv ?? [])],
    env: {},
  });
  const config: Config = { ...loaded, grpcPort: 0, httpPort: 0, shutdownTimeoutMs: 2000 };
  const { tokens: _, argv: __, ...rest } = options;
  const gateway = await startGateway({ checks: [], ...rest, config, logger, bus, store });
  const address = `127.0.0.1:${gateway.grpcPort}`;
  const clients: { close(): void }[] = [];
  return {
    config,
    gateway,
    bus,
    store,
    address,
    client(service, token) {
      const client = createGrpcClient(service, address, credentials.createInsecure(), {
        defaultTimeoutMs: 10_000,
        ...(token === undefined ? {} : { token }),
      });
      clients.push(client);
      return client;
    },
    async stop() {
      for (const c of clients) c.close();
      await gateway.stop();
      if (options.bus === undefined) await bus.close();
    },
  };
}
