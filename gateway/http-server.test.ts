import { afterEach, describe, expect, it } from "vitest";
import { createLogger, type HealthCheck } from "../core/index.js";
import { createHealthMonitor, type HealthMonitor } from "./health-monitor.js";
import { type OpsHttpServer, startOpsHttpServer } from "./http-server.js";
import { createGatewayMetrics } from "./metrics.js";

const logger = createLogger({ level: "silent" });
let server: OpsHttpServer | undefined;
let health: HealthMonitor | undefined;

afterEach(async () => {
  await server?.close();
  health?.close();
});

async function start(checks: HealthCheck[] = []) {
  health = await createHealthMonitor({ checks, logger });
  server = await startOpsHttpServer({
    host: "127.0.0.1",
    port: 0,
    health,
    metrics: createGatewayMetrics(),
    logger,
  });
  return `http://127.0.0.1:${server.port}`;
}

describe("ops http server", () => {
  it("serves liveness, readiness and Prometheus metrics", async () => {
    const base = await start();
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", serving: true });
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await metrics.text()).toMatch(/process_cpu_user_seconds_total\{service="switchboard"\}/);
  });

  it("is not ready while a dependency is down or while draining, naming why", async () => {
    let up = false;
    const base = await start([
      {
        name: "nats",
        check: async () => {
          if (!up) throw new Error("connection refused");
        },
      },
    ]);
    const down = await fetch(`${base}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({
      dependencies: [{ name: "nats", up: false, detail: "connection refused" }],
    });
    up = true;
    await health?.refresh();
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    health?.startDraining();
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it("answers 404 for unknown paths and 405 for other methods", async () => {
    const base = await start();
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: "POST" })).status).toBe(405);
  });
});
