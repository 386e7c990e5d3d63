import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { DescService } from "@bufbuild/protobuf";
import type { Registry } from "prom-client";
import type {
  AdapterName,
  Bus,
  Clock,
  Config,
  ContactIntake,
  Conversations,
  IdGenerator,
  Logger,
  Store,
} from "../core/index.js";
import type { ServiceImpl } from "./grpc/adapter.js";

/**
 * The gateway hosts the channel adapters (adapters/<channel>): it hands each one the same
 * intake and conversations its own services use, serves the adapter's HTTP routes on its HTTP
 * port and its gRPC services on its gRPC port, and stops it before the bus and store close.
 * Adapters reach the router only through the bus (DESIGN §1).
 */
export interface AdapterContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly bus: Bus;
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Validated, idempotent, durable contact submission (the ContactService path). */
  readonly intake: ContactIntake;
  /** Conversation messages and typing, both directions. */
  readonly conversations: Conversations;
  /** The process's Prometheus registry (served on /metrics). */
  readonly metrics: Registry;
  /** Aborted when the gateway starts draining. */
  readonly shutdown: AbortSignal;
}

/** HTTP routes an adapter serves on the gateway's HTTP port (tried before the built-in 404). */
export interface HttpRoutes {
  /** Answers the request and returns true, or returns false to let the next routes try. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** A WebSocket (or other) upgrade: takes the socket and returns true, or returns false. */
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
}

/** A gRPC service an adapter implements (e.g. KioskService). Authenticates its own callers. */
export interface GrpcRegistration {
  readonly service: DescService;
  // biome-ignore lint/suspicious/noExplicitAny: one list holds implementations of several services.
  readonly impl: ServiceImpl<any>;
}

export interface RunningAdapter {
  readonly name: AdapterName;
  readonly http?: HttpRoutes;
  readonly grpc?: readonly GrpcRegistration[];
  /** Stops taking new work, finishes in-flight work, releases resources. */
  stop(): Promise<void>;
}

/** How the gateway starts one adapter. */
export type AdapterFactory = (context: AdapterContext) => Promise<RunningAdapter>;
