import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { credentials, status } from "@grpc/grpc-js";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { createGrpcClient } from "../../gateway/index.js";
import {
  ContactService,
  Health,
  HealthCheckResponse_ServingStatus,
  StatsService,
} from "../../proto/index.js";
import { externalRedisUrl, findFreePort, startRedis, waitFor } from "../harness/index.js";
import { buildDist, type RunningCli, runCli, startCli } from "./cli-process.js";

// The real product: dist/ built as `npm start` builds it, run as a separate process,
// called by real clients over the network.
const python = "/usr/bin/python3";
const pythonClient = fileURLToPath(new URL("./health_check.py", import.meta.url));
const hasPythonGrpc = await promisify(execFile)(python, ["-c", "import grpc"]).then(
  () => true,
  () => false,
);

let running: RunningCli | undefined;
afterEach(async () => {
  await running?.stop("SIGKILL");
  running = undefined;
});

beforeAll(async () => {
  await buildDist();
}, 120_000);

async function ports() {
  return { grpc: await findFreePort(), http: await findFreePort() };
}

describe("switchboard command", () => {
  it("prints help and version", async () => {
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: switchboard \[role\]/);
    expect(help.stdout).toContain("--grpc-port");
    expect(help.stdout).toContain("SWITCHBOARD_NATS_URL");
    const version = await runCli(["--version"]);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("runs the offline planning tools: staff and simulate print one JSON line", async () => {
    const staff = await runCli([
      "staff",
      "--arrivals-per-hour",
      "1000",
      "--aht-s",
      "300",
      "--sl",
      "0.8",
      "--sl-threshold-s",
      "20",
      "--json",
    ]);
    expect(staff.code).toBe(0);
    const staffing = JSON.parse(staff.stdout.trim().split("\n").at(-1) ?? "{}");
    expect(staffing.agents).toBeGreaterThan(83); // more agents than the offered load in Erlangs
    expect(staffing.serviceLevel).toBeGreaterThanOrEqual(0.8);
    const sim = await runCli([
      "simulate",
      "--arrivals-per-hour",
      "100",
      "--aht-s",
      "180",
      "--agents",
      "6",
      "--hours",
      "20",
      "--seed",
      "1",
      "--json",
    ]);
    expect(sim.code).toBe(0);
    expect(JSON.parse(sim.stdout.trim().split("\n").at(-1) ?? "{}")).toMatchObject({
      contacts: expect.any(Number),
      serviceLevel: expect.any(Number),
    });
    const bad = await runCli(["staff", "--bogus"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--bogus/);
  });

  it.each([
    [["--grpc-port", "70000"], {}, /--grpc-port "70000" must be an integer from 1 to 65535/],
    [["dance"], {}, /unknown role "dance"/],
    [["--nats-url", "nats//broken"], {}, /--nats-url "nats\/\/broken" is not a URL/],
    [[], { SWITCHBOARD_HTTP_PORT: "http" }, /SWITCHBOARD_HTTP_PORT "http" must be an integer/],
    [["bench"], {}, /role "bench" is not built yet/],
    [["adapter", "fax"], {}, /role "adapter" needs one of email, web, phone, kiosk, not "fax"/],
  ])("fails fast on %j with one line naming the problem", async (args, env, message) => {
    const result = await runCli(args, env);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toMatch(message);
  });

  it("serves gRPC health SERVING and HTTP health on the chosen ports, then drains on SIGTERM with exit 0", async () => {
    const p = await ports();
    running = await startCli(
      ["--grpc-port", String(p.grpc), "--http-port", String(p.http), "--host", "127.0.0.1"],
      p.http,
    );
    using health = createGrpcClient(Health, `127.0.0.1:${p.grpc}`, credentials.createInsecure());
    expect((await health.check({ service: "" })).status).toBe(
      HealthCheckResponse_ServingStatus.SERVING,
    );
    expect((await health.check({ service: "switchboard.v1.ContactService" })).status).toBe(
      HealthCheckResponse_ServingStatus.SERVING,
    );
    await expect(health.check({ service: "nope.Service" })).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
    expect((await fetch(`http://127.0.0.1:${p.http}/readyz`)).status).toBe(200);

    // Methods not built yet say so, by name.
    using stats = createGrpcClient(
      StatsService,
      `127.0.0.1:${p.grpc}`,
      credentials.createInsecure(),
    );
    await expect(stats.getStats({})).rejects.toMatchObject({
      code: status.UNIMPLEMENTED,
      details: expect.stringMatching(/switchboard.v1.StatsService\/GetStats is not built yet/),
    });
    const metrics = await (await fetch(`http://127.0.0.1:${p.http}/metrics`)).text();
    expect(metrics).toMatch(
      /switchboard_grpc_server_handled_total\{[^}]*method="Check"[^}]*code="OK"/,
    );

    expect(await running.stop("SIGTERM")).toBe(0);
    expect(running.output()).toContain("stopped cleanly");
  });

  it("ends health Watch streams with NOT_SERVING on SIGTERM and refuses oversized messages", async () => {
    const p = await ports();
    running = await startCli(
      [
        "--grpc-port",
        String(p.grpc),
        "--http-port",
        String(p.http),
        "--grpc-max-message-bytes",
        "1024",
      ],
      p.http,
    );
    using contacts = createGrpcClient(
      ContactService,
      `127.0.0.1:${p.grpc}`,
      credentials.createInsecure(),
    );
    await expect(
      contacts.submitContact({ contact: { subject: "x".repeat(4096) } }),
    ).rejects.toMatchObject({
      code: status.RESOURCE_EXHAUSTED,
    });

    using health = createGrpcClient(Health, `127.0.0.1:${p.grpc}`, credentials.createInsecure());
    const watch = health.watch({ service: "" });
    const seen: HealthCheckResponse_ServingStatus[] = [];
    const ended = new Promise<void>((resolve) => {
      watch.on("data", (r: { status: HealthCheckResponse_ServingStatus }) => seen.push(r.status));
      watch.on("end", resolve);
      watch.on("error", () => resolve());
    });
    await waitFor(async () => expect(seen).toEqual([HealthCheckResponse_ServingStatus.SERVING]), {
      timeoutMs: 5000,
      what: "first watch status",
    });
    expect(await running.stop("SIGTERM")).toBe(0);
    await ended;
    expect(seen).toEqual([
      HealthCheckResponse_ServingStatus.SERVING,
      HealthCheckResponse_ServingStatus.NOT_SERVING,
    ]);
  });

  it("demo: a first run routes contacts end to end through a running switchboard", async () => {
    const p = await ports();
    running = await startCli(
      ["--grpc-port", String(p.grpc), "--http-port", String(p.http)],
      p.http,
    );
    const demo = await runCli(["demo", "--target", `127.0.0.1:${p.grpc}`, "--contacts", "4"]);
    expect(demo.stderr).toBe("");
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(/offer → demo-(anna|bob): contact \w+ in queue demo-billing/);
    expect(demo.stdout).toContain("4. done: 4 of 4 contacts completed");
  });

  it("still drains and exits 0 on SIGTERM when whoever read its stdout has gone (EPIPE)", async () => {
    const p = await ports();
    running = await startCli(["router", "--http-port", String(p.http)], p.http);
    running.child.stdout.destroy();
    expect(await running.stop("SIGTERM")).toBe(0);
  });

  it.runIf(hasPythonGrpc)(
    "answers a non-Node gRPC client (python grpcio): health and reflection",
    async () => {
      const p = await ports();
      running = await startCli(
        ["--grpc-port", String(p.grpc), "--http-port", String(p.http)],
        p.http,
      );
      const exec = promisify(execFile);
      const check = await exec(python, [pythonClient, `127.0.0.1:${p.grpc}`]);
      expect(check.stdout.trim()).toBe("SERVING");
      const list = await exec(python, [pythonClient, `127.0.0.1:${p.grpc}`, "--list"]);
      expect(list.stdout).toContain("switchboard.v1.ContactService");
      expect(list.stdout).toContain("grpc.health.v1.Health");
    },
  );

  it("refuses a port already in use with exit 2 and a clear message", async () => {
    const p = await ports();
    running = await startCli(
      ["--grpc-port", String(p.grpc), "--http-port", String(p.http)],
      p.http,
    );
    const other = await findFreePort();
    const clash = await runCli(["--grpc-port", String(p.grpc), "--http-port", String(other)]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(new RegExp(`cannot listen for gRPC on 0\\.0\\.0\\.0:${p.grpc}`));
  });

  it.skipIf(externalRedisUrl() !== undefined)(
    "reflects its real dependencies in /readyz and gRPC health",
    async () => {
      await using redis = await startRedis();
      const p = await ports();
      running = await startCli(
        ["--grpc-port", String(p.grpc), "--http-port", String(p.http)],
        p.http,
        {
          SWITCHBOARD_NATS_URL: inject("natsUrl"),
          REDIS_URL: redis.url,
        },
      );
      const readyz = () => fetch(`http://127.0.0.1:${p.http}/readyz`).then((r) => r.status);
      await waitFor(async () => expect(await readyz()).toBe(200), {
        timeoutMs: 10_000,
        what: "ready",
      });
      await redis.kill();
      await waitFor(async () => expect(await readyz()).toBe(503), {
        timeoutMs: 15_000,
        what: "not ready",
      });
      using health = createGrpcClient(Health, `127.0.0.1:${p.grpc}`, credentials.createInsecure());
      expect((await health.check({})).status).toBe(HealthCheckResponse_ServingStatus.NOT_SERVING);
      await redis.restart();
      await waitFor(async () => expect(await readyz()).toBe(200), {
        timeoutMs: 15_000,
        what: "ready again",
      });
    },
    40_000,
  );
});
