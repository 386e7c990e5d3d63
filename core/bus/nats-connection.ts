import { connect, type NatsConnection } from "nats";
import type { HealthCheck } from "../health-check.js";
import type { Logger } from "../log.js";
import { coalesceWrites } from "./coalesce-writes.js";

/**
 * One NATS connection for the process: reconnects forever with jittered backoff (nats.js's own,
 * not ours) and logs every state change. Connecting happens in the background so the process
 * can report "not ready" on /readyz while NATS is still coming up, rather than crash-looping.
 */
export interface NatsHandle {
  /** Settles once the first connection is made (or the handle is closed first). */
  readonly connected: Promise<NatsConnection>;
  readonly health: HealthCheck;
  close(): Promise<void>;
}

export interface NatsHandleOptions {
  /** One URL or a comma-separated cluster list. */
  readonly url: string;
  readonly logger: Logger;
  /** Connection name shown by the NATS server's monitoring. */
  readonly name?: string;
}

export function createNatsHandle(options: NatsHandleOptions): NatsHandle {
  const logger = options.logger.child({ component: "nats" });
  let nc: NatsConnection | undefined;
  let closed = false;
  const connected = connect({
    servers: options.url.split(",").map((s) => s.trim()),
    name: options.name ?? "switchboard",
    maxReconnectAttempts: -1,
    waitOnFirstConnect: true,
    reconnectTimeWait: 1000,
    reconnectJitter: 500,
    // No Error (stack capture) per request (JetStream API calls, consumer pulls); publishes
    // await their PubAck without one anyway (pub-acks.ts).
    noAsyncTraces: true,
  }).then(async (conn) => {
    nc = conn;
    coalesceWrites(socketOf(conn));
    logger.info({ server: conn.getServer() }, "nats connected");
    if (closed) await conn.close();
    void logStatus(conn, logger);
    return conn;
  });
  // A failed first connect is reported through the health check, never as an unhandled rejection.
  connected.catch((err: unknown) => logger.error({ err }, "nats connection failed"));

  return {
    connected,
    health: {
      name: "nats",
      async check() {
        if (nc === undefined) throw new Error("connecting");
        if (nc.isClosed()) throw new Error("connection closed");
        // A round trip proves the server answers; JetStream must be enabled on it too.
        await nc.flush();
        const jsm = await nc.jetstreamManager({ timeout: 1000 });
        await jsm.getAccountInfo();
      },
    },
    async close() {
      closed = true;
      if (nc !== undefined && !nc.isClosed()) await nc.drain();
    },
  };
}

/** nats.js keeps its socket private; a version without this field just loses the coalescing. */
function socketOf(nc: NatsConnection): unknown {
  return (nc as { protocol?: { transport?: { socket?: unknown } } }).protocol?.transport?.socket;
}

async function logStatus(nc: NatsConnection, logger: Logger): Promise<void> {
  for await (const s of nc.status()) {
    // Each reconnect dials a new socket.
    if (s.type === "reconnect") coalesceWrites(socketOf(nc));
    const level = s.type === "disconnect" || s.type === "error" ? "warn" : "info";
    logger[level]({ type: s.type, data: String(s.data) }, "nats status");
  }
}
