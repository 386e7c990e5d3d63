import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../core/index.js";
import type { HttpRoutes } from "./adapter-host.js";
import type { HealthMonitor } from "./health-monitor.js";
import type { GatewayMetrics } from "./metrics.js";

/**
 * The operator's HTTP surface: `/healthz` (liveness: the process answers), `/readyz`
 * (readiness: dependencies up and not draining, else 503 with the reason) and `/metrics`
 * (Prometheus text format).
 */
export interface OpsHttpServer {
  readonly port: number;
  close(): Promise<void>;
}

export interface OpsHttpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly health: HealthMonitor;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  /** The channel adapters' routes (web chat, voice webhooks), tried before the built-in 404. */
  readonly routes?: readonly HttpRoutes[];
}

export async function startOpsHttpServer(options: OpsHttpServerOptions): Promise<OpsHttpServer> {
  const { health, metrics } = options;
  const routes = options.routes ?? [];
  const logger = options.logger.child({ component: "http" });
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const send = (status: number, body: string, type = "application/json") => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    };
    for (const route of routes) {
      try {
        if (route.handle(req, res)) return;
      } catch (err) {
        logger.error({ err, path }, "http route failed");
        if (!res.headersSent) send(500, JSON.stringify({ error: "internal error" }));
        else res.destroy();
        return;
      }
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      return send(405, JSON.stringify({ error: `method ${req.method} not allowed` }));
    }
    switch (path) {
      case "/healthz":
        return send(200, JSON.stringify({ status: "ok" }));
      case "/readyz": {
        const s = health.snapshot();
        return send(
          s.serving ? 200 : 503,
          JSON.stringify({ status: s.serving ? "ready" : "not ready", ...s }),
        );
      }
      case "/metrics":
        metrics.registry.metrics().then(
          (text) => send(200, text, metrics.registry.contentType),
          (err: unknown) => {
            logger.error({ err }, "metrics collection failed");
            send(500, JSON.stringify({ error: "metrics collection failed" }));
          },
        );
        return;
      default:
        return send(
          404,
          JSON.stringify({ error: `no route ${path}; try /healthz, /readyz or /metrics` }),
        );
    }
  });
  server.on("upgrade", (req, socket, head) => {
    socket.on("error", () => socket.destroy());
    try {
      for (const route of routes) if (route.upgrade?.(req, socket, head)) return;
    } catch (err) {
      logger.error({ err, path: req.url }, "http upgrade failed");
    }
    if (!socket.destroyed) socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
  });
  // Slow or idle clients must not pin sockets during drain.
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port }, "http listening: /healthz /readyz /metrics");
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
