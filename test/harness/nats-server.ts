import { connect } from "nats";
import { loopbackHost } from "./free-port.js";
import { externalNatsUrl } from "./harness-env.js";
import type { ServerHandle, ServiceSpec } from "./server-handle.js";
import { startServer } from "./start-server.js";

export interface StartNatsOptions {
  /** Use this running server instead of starting one. Default: `NATS_URL` when set. */
  readonly externalUrl?: string;
  /** `nats-server` executable: a name looked up on PATH, or a path. Default `"nats-server"`. */
  readonly binary?: string;
  /** Image for the Docker fallback when the binary is missing. Default `"nats:2.12"`. */
  readonly image?: string;
  /** Until the server accepts JetStream API calls. Default 10 000. */
  readonly startTimeoutMs?: number;
  /** Grace period after SIGTERM before SIGKILL. Default 5 000. */
  readonly stopTimeoutMs?: number;
}

const natsDefaultPort = 4222;
const containerStoreDir = "/data";

/**
 * Starts a disposable NATS server with JetStream (file storage in a temporary directory) on a
 * free loopback port, ready to use when the promise resolves.
 */
export function startNats(options: StartNatsOptions = {}): Promise<ServerHandle> {
  const spec: ServiceSpec = {
    name: "nats",
    urlScheme: "nats",
    binary: options.binary ?? "nats-server",
    binaryArgs: (port, dataDir) => [
      ...["-a", loopbackHost, "-p", String(port)],
      ...["-js", "-sd", dataDir],
    ],
    image: options.image ?? "nats:2.12",
    containerPort: natsDefaultPort,
    containerCommand: ["-js", "-sd", containerStoreDir],
    probe: probeJetStream,
    startTimeoutMs: options.startTimeoutMs ?? 10_000,
    stopTimeoutMs: options.stopTimeoutMs ?? 5_000,
  };
  return startServer(spec, {
    url: options.externalUrl ?? externalNatsUrl(),
    variable: "NATS_URL",
    defaultPort: natsDefaultPort,
  });
}

/** Ready means JetStream answers, not just that the port accepts connections. */
async function probeJetStream(host: string, port: number, timeoutMs: number): Promise<void> {
  const connection = await connect({
    servers: `${host}:${port}`,
    name: "switchboard-harness-probe",
    reconnect: false,
    timeout: timeoutMs,
  });
  try {
    await connection.jetstreamManager({ timeout: timeoutMs });
  } finally {
    await connection.close();
  }
}
