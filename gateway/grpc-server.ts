import type { DescFile } from "@bufbuild/protobuf";
import {
  ResponderBuilder,
  Server,
  type ServerCredentials,
  ServerInterceptingCall,
  type ServerInterceptor,
  status,
} from "@grpc/grpc-js";
import { ErrorCode, type Logger, SwitchboardError } from "../core/index.js";
import { addReflection } from "./grpc/adapter.js";
import type { GatewayMetrics } from "./metrics.js";

export interface GrpcServerOptions {
  readonly host: string;
  readonly port: number;
  readonly maxMessageBytes: number;
  /** Plaintext, TLS or mTLS (see tls.ts). */
  readonly credentials: ServerCredentials;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  /** Registers the services; called before binding. */
  readonly register: (server: Server) => void;
  /** Files whose services reflection lists (with their imports). */
  readonly reflectionFiles: readonly DescFile[];
}

export interface RunningGrpcServer {
  readonly port: number;
  /** Stops accepting calls and waits for in-flight ones; cancels what is left after timeoutMs. */
  shutdown(timeoutMs: number): Promise<void>;
}

const STATUS_NAMES = Object.fromEntries(Object.entries(status).map(([k, v]) => [v, k])) as Record<
  number,
  string
>;

/** The instruments of one method, with its label values bound once. */
interface MethodInstruments {
  readonly handlingSeconds: { observe(seconds: number): void };
  /** By status code. */
  readonly handled: Map<number, { inc(): void }>;
  readonly labels: { readonly service: string; readonly method: string };
}

/** Methods whose instruments are kept; paths beyond it (a client probing names) are not cached. */
const MAX_CACHED_PATHS = 1000;

/** Counts every call by status and times it, without touching handlers. */
function metricsInterceptor(metrics: GatewayMetrics): ServerInterceptor {
  // prom-client hashes the label object on every observation; each method's children are
  // looked up once instead.
  const byPath = new Map<string, MethodInstruments>();
  const instrumentsOf = (path: string): MethodInstruments => {
    const cached = byPath.get(path);
    if (cached !== undefined) return cached;
    const [, service = "unknown", method = "unknown"] = path.split("/");
    const labels = { service, method };
    const instruments = {
      handlingSeconds: metrics.grpcHandlingSeconds.labels(labels),
      handled: new Map(),
      labels,
    };
    if (byPath.size < MAX_CACHED_PATHS) byPath.set(path, instruments);
    return instruments;
  };
  return (descriptor, call) => {
    const instruments = instrumentsOf(descriptor.path);
    const startMs = performance.now();
    return new ServerInterceptingCall(
      call,
      new ResponderBuilder()
        .withSendStatus((statusObject, next) => {
          let handled = instruments.handled.get(statusObject.code);
          if (handled === undefined) {
            const code = STATUS_NAMES[statusObject.code] ?? "UNKNOWN";
            handled = metrics.grpcHandled.labels({ ...instruments.labels, code });
            instruments.handled.set(statusObject.code, handled);
          }
          handled.inc();
          instruments.handlingSeconds.observe((performance.now() - startMs) / 1000);
          next(statusObject);
        })
        .build(),
    );
  };
}

export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const logger = options.logger.child({ component: "grpc" });
  const server = new Server({
    "grpc.max_receive_message_length": options.maxMessageBytes,
    "grpc.max_send_message_length": options.maxMessageBytes,
    // Detect dead agent desktops and kiosks on long-lived streams within ~40 s.
    "grpc.keepalive_time_ms": 30_000,
    "grpc.keepalive_timeout_ms": 10_000,
    "grpc.keepalive_permit_without_calls": 1,
    "grpc.http2.min_ping_interval_without_data_ms": 10_000,
    "grpc.max_connection_idle_ms": 15 * 60_000,
    interceptors: [metricsInterceptor(options.metrics)],
  });
  options.register(server);
  addReflection(server, options.reflectionFiles);

  const address = options.host.includes(":")
    ? `[${options.host}]:${options.port}`
    : `${options.host}:${options.port}`;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, options.credentials, (err, boundPort) => {
      if (err) {
        reject(
          new SwitchboardError(
            ErrorCode.Unavailable,
            `cannot listen for gRPC on ${address}: ${err.message}`,
            {
              cause: err,
            },
          ),
        );
      } else resolve(boundPort);
    });
  });
  logger.info({ port, tls: options.credentials._isSecure() }, "grpc listening");

  return {
    port,
    shutdown: (timeoutMs) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          logger.warn(
            { timeoutMs },
            "grpc calls still running at the drain deadline; cancelling them",
          );
          server.forceShutdown();
          resolve();
        }, timeoutMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
