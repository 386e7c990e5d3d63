import type { DescService } from "@bufbuild/protobuf";
import {
  type Bus,
  type Config,
  createLogger,
  createMemoryBus,
  createMemoryStore,
  type Store,
  type TokenGrant,
} from "../../core/index.js";
import {
  type AdapterFactory,
  type Gateway,
  type GrpcClient,
  startTestGateway,
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
  await bus.ensureStreams();
  const smtpPort = await findFreePort();
  const test = await startTestGateway({
    bus,
    store,
    argv: ["--smtp-port", String(smtpPort), ...(options.argv ?? [])],
    edge: !options.adapterOnly,
    adapters: options.adapters ?? [],
    ...(options.tokens === undefined ? {} : { tokens: options.tokens }),
    ...(options.agentGraceMs === undefined ? {} : { agentGraceMs: options.agentGraceMs }),
  });
  // Commands wait on the bus until the router is there; it serves the configured tenants.
  const router = options.adapterOnly
    ? undefined
    : await startRouter({
        bus,
        store,
        logger,
        tenants: test.config.tenants,
        ...options.router,
      }).catch(async (err: unknown) => {
        await test.stop();
        throw err;
      });
  return {
    config: test.config,
    bus,
    store,
    gateway: test.gateway,
    grpcAddress: test.address,
    httpUrl: `http://127.0.0.1:${test.gateway.httpPort}`,
    smtpPort,
    client: (service, token) => test.client(service, token),
    async stop() {
      await test.stop();
      await router?.stop();
      await bus.close();
      await store.close();
    },
  };
}
