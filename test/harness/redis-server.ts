import { connect } from "node:net";
import { loopbackHost } from "./free-port.js";
import { externalRedisUrl } from "./harness-env.js";
import type { ServerHandle, ServiceSpec } from "./server-handle.js";
import { startServer } from "./start-server.js";

export interface StartRedisOptions {
  /** Use this running server instead of starting one. Default: `REDIS_URL` when set. */
  readonly externalUrl?: string;
  /** `redis-server` executable: a name looked up on PATH, or a path. Default `"redis-server"`. */
  readonly binary?: string;
  /** Image for the Docker fallback when the binary is missing. Default `"redis:7"`. */
  readonly image?: string;
  /** Until the server answers PING (it answers LOADING while replaying its AOF). Default 10 000. */
  readonly startTimeoutMs?: number;
  /** Grace period after SIGTERM before SIGKILL. Default 5 000. */
  readonly stopTimeoutMs?: number;
  /**
   * When the append-only file is fsynced. Default `"always"`: every write survives restart()
   * and even kill(), which the durability tests rely on. `"everysec"` is the production
   * setting, for benchmarks: an fsync per write would measure the disk, not the system.
   */
  readonly appendfsync?: "always" | "everysec" | "no";
}

const redisDefaultPort = 6379;
// AOF only (no RDB snapshots); with "always" every write is fsynced before it is answered.
const persistenceArgs = (appendfsync: string): string[] => [
  ...["--appendonly", "yes", "--appendfsync", appendfsync, "--save", ""],
];

/**
 * Starts a disposable Redis with AOF persistence in a temporary directory on a free loopback
 * port, ready to use when the promise resolves.
 */
export function startRedis(options: StartRedisOptions = {}): Promise<ServerHandle> {
  const persistence = persistenceArgs(options.appendfsync ?? "always");
  const spec: ServiceSpec = {
    name: "redis",
    urlScheme: "redis",
    binary: options.binary ?? "redis-server",
    binaryArgs: (port, dataDir) => [
      ...["--port", String(port), "--bind", loopbackHost, "--dir", dataDir],
      ...persistence,
    ],
    image: options.image ?? "redis:7",
    containerPort: redisDefaultPort,
    containerCommand: ["redis-server", ...persistence],
    probe: probePing,
    startTimeoutMs: options.startTimeoutMs ?? 10_000,
    stopTimeoutMs: options.stopTimeoutMs ?? 5_000,
  };
  return startServer(spec, {
    url: options.externalUrl ?? externalRedisUrl(),
    variable: "REDIS_URL",
    defaultPort: redisDefaultPort,
  });
}

// A raw RESP PING: no client library retry loop or error events to silence.
function probePing(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let reply = "";
    socket.setEncoding("utf8");
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no reply in ${timeoutMs} ms`)));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk: string) => {
      reply += chunk;
      if (!reply.includes("\r\n")) return;
      socket.destroy();
      if (reply.startsWith("+PONG")) resolve();
      else reject(new Error(`PING answered ${reply.trim()}`));
    });
    socket.once("error", reject);
    // Settles only if nothing above did; a promise ignores later calls.
    socket.once("close", () => reject(new Error("connection closed before PONG")));
  });
}
