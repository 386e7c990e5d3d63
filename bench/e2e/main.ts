/**
 * End-to-end pipeline benchmark: `npm run bench:e2e [-- --json] [--rate N] [--seconds S]`.
 *
 * On a private NATS (JetStream, file storage) and Redis (AOF fsynced every second, as in
 * production — fsync per write would measure the disk) on loopback, never the machine's own
 * 4222/6379; the floor and Switchboard share both servers and their settings:
 * 1. Baseline `raw-floor`: the same trip without Switchboard code (see raw-floor.ts), at the
 *    same rate for the same time.
 * 2. `switchboard router` and `switchboard gateway` as separate processes; open-loop
 *    SubmitContact at the rate; agents accept at once; submit → offer-received latency, lost
 *    (acknowledged, never offered) and double offers.
 * ratio = p99 / baseline p99. Also `grpcEdge`: the two gRPC hops each contact makes that the
 * raw floor does not (a unary submit, a message back on a server stream), bare grpc-js between
 * two processes at the same rate (grpc-edge.ts): what the edge protocol alone costs here.
 * The last line printed is one JSON object (bench/README.md).
 * `--router-only` adds a third measurement on fresh servers: the router process alone, fed
 * and answered on the bus by this process (see router-only.ts), reported as `routerOnly`.
 */
import { startNats, startRedis } from "../../test/harness/index.js";
import { cpuMeter } from "./cpu.js";
import { measureGrpcEdge } from "./grpc-edge.js";
import { round3 } from "./open-loop.js";
import { startRole } from "./processes.js";
import { measureRawFloor } from "./raw-floor.js";
import { measureRouterOnly } from "./router-only.js";
import { measureSwitchboard } from "./switchboard-run.js";

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`bench:e2e: --${name} must be a positive number`);
    process.exit(2);
  }
  return value;
}

const json = process.argv.includes("--json");
const ratePerSec = flag("rate", 2_000);
const seconds = flag("seconds", 5);
const routerOnly = process.argv.includes("--router-only");

async function measure() {
  await using nats = await startNats();
  await using redis = await startRedis({ appendfsync: "everysec" });
  const floor = await measureRawFloor(nats.url, redis.url, ratePerSec, seconds);
  const router = await startRole("router", nats.url, redis.url);
  try {
    const gateway = await startRole("gateway", nats.url, redis.url);
    try {
      const none = () => undefined;
      let meters = { router: none, gateway: none, bench: none } as Record<
        "router" | "gateway" | "bench",
        (contacts: number) => number | undefined
      >;
      const run = await measureSwitchboard(
        `127.0.0.1:${gateway.grpcPort}`,
        ratePerSec,
        seconds,
        () => {
          meters = {
            router: cpuMeter(router.child.pid),
            gateway: cpuMeter(gateway.child.pid),
            bench: cpuMeter(process.pid),
          };
        },
      );
      // Per contact submitted, from the first submit until all were offered (agents and their
      // streams set up before, not counted; the processes' timers run meanwhile and are).
      const cpu = {
        gateway: meters.gateway(run.contacts),
        router: meters.router(run.contacts),
        bench: meters.bench(run.contacts),
      };
      return { floor, run, cpu };
    } finally {
      await gateway.stop();
    }
  } finally {
    await router.stop();
  }
}

async function measureRouterAlone() {
  await using nats = await startNats();
  await using redis = await startRedis({ appendfsync: "everysec" });
  // Awaited here: the servers are disposed when this function returns.
  return await measureRouterOnly(nats.url, redis.url, ratePerSec, seconds);
}

const { floor, run, cpu } = await measure();
const edge = await measureGrpcEdge(ratePerSec, seconds);
const alone = routerOnly ? await measureRouterAlone() : undefined;
const result = {
  bench: "e2e",
  ratePerSec,
  contacts: run.contacts,
  p50Ms: run.p50Ms,
  p99Ms: run.p99Ms,
  p999Ms: run.p999Ms,
  lost: run.lost,
  doubleOffers: run.doubleOffers,
  // Non-zero: desktops were cut off, so `lost` counts offers nobody could receive.
  desktopsDropped: run.desktopsDropped,
  baseline: { name: floor.name, p50Ms: floor.p50Ms, p99Ms: floor.p99Ms },
  ratio: floor.p99Ms > 0 ? round3(run.p99Ms / floor.p99Ms) : null,
  grpcEdge: { p50Ms: edge.p50Ms, p99Ms: edge.p99Ms, received: edge.received },
  cpuMsPerContact: cpu,
  ...(alone === undefined
    ? {}
    : {
        routerOnly: {
          p50Ms: alone.p50Ms,
          p99Ms: alone.p99Ms,
          lost: alone.lost,
          doubleOffers: alone.doubleOffers,
          cpuMsPerContact: alone.cpuMsPerContact,
        },
      }),
};
if (!json) {
  console.log(`rate ${ratePerSec}/s for ${seconds} s (${run.contacts} contacts)`);
  console.log(
    `switchboard  acked ${run.acked}  refused ${run.refused}  retries ${run.retries}  offered ${run.offered}  withdrawn ${run.withdrawn}  lost ${run.lost}  double ${run.doubleOffers}  desktops dropped ${run.desktopsDropped}`,
  );
  console.log(`  submit → offer  p50 ${run.p50Ms} ms  p99 ${run.p99Ms} ms  p99.9 ${run.p999Ms} ms`);
  if (run.refused > 0) console.log(`  refused: ${JSON.stringify(run.refusals)}`);
  console.log(`  submit → ack    p50 ${run.ackP50Ms} ms  p99 ${run.ackP99Ms} ms`);
  console.log(
    `  CPU ms/contact gateway ${cpu.gateway ?? "?"}  router ${cpu.router ?? "?"}  bench client ${cpu.bench ?? "?"}`,
  );
  console.log(
    `raw-floor    received ${floor.received}/${floor.sent}  p50 ${floor.p50Ms} ms  p99 ${floor.p99Ms} ms  p99.9 ${floor.p999Ms} ms`,
  );
  console.log(
    `grpc-edge    received ${edge.received}/${edge.sent}  p50 ${edge.p50Ms} ms  p99 ${edge.p99Ms} ms  p99.9 ${edge.p999Ms} ms`,
  );
  if (alone !== undefined)
    console.log(
      `router only  offered ${alone.offered}/${alone.sent}  lost ${alone.lost}  double ${alone.doubleOffers}  p50 ${alone.p50Ms} ms  p99 ${alone.p99Ms} ms  p99.9 ${alone.p999Ms} ms  CPU ms/contact router ${alone.cpuMsPerContact ?? "?"}`,
    );
}
console.log(JSON.stringify(result));
// Exit explicitly: a client library that keeps a handle open must not hang the bench.
process.exit(0);
