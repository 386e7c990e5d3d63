/**
 * Router engine benchmark: `npm run bench:router [-- --json] [-- --quick]`.
 *
 * 1. 10 000 agents / 200 skills warm up to steady state (~50% occupancy), then the indexed
 *    engine is measured over a long window of arrivals, replies, completions, abandonment,
 *    presence churn and ticks.
 * 2. Baseline: the same warmed state (snapshot) and the same driver state are replayed through
 *    the naive-scan strategy and through fresh indexed engines over a shorter window; all must
 *    produce the identical decision digest. The indexed replay is short (well under a second),
 *    so one GC pause or load spike used to swing the ratio 20–60×: INDEXED_REPEATS indexed
 *    engines replay it (same snapshot, same trace, warmed code) and the median is taken, and
 *    all engines advance in turns of SLICE_MS so that load on the shared machine hits the naive
 *    and the indexed runs alike. speedup = median indexed ÷ naive decisions/s on that window.
 * 3. Scaling: p99 at 1 000, 10 000 and 100 000 agents under the same workload shape.
 * 4. Floor (floor.ts): the least bookkeeping an engine of this design must do per decision,
 *    driven by its own copy of the workload in alternating slices beside a fresh engine, so
 *    the numbers say how much of the engine's cost this machine imposes on any engine; and
 *    the machine's cost of a cache miss (machine.ts).
 *
 * The last line printed is one JSON object (see bench/README.md).
 */
import { createRouterEngine, type RouterEngine, restoreRouterEngine } from "../../router/index.js";
import { FloorEngine } from "./floor.js";
import { loadLatencies } from "./machine.js";
import { emptySamples, type Samples, Sim, type SimTarget } from "./sim.js";
import { percentileUs, round2 } from "./stats.js";
import { arrivalRatePerMs, makeAgents, ROUTING, SKILL_COUNT } from "./workload.js";

const args = new Set(process.argv.slice(2));
const quick = args.has("--quick");
const SEED = 42;
const WARM_MS = 1_500_000;

interface Run {
  readonly engine: RouterEngine;
  readonly sim: Sim;
  readonly samples: Samples;
  readonly snapshotAfterWarmUp: ReturnType<RouterEngine["snapshot"]> | null;
  readonly simAfterWarmUp: Sim | null;
}

/** `engine` with the bench's agents, all AVAILABLE, run through the warm-up with its driver. */
function warmedUp<E extends SimTarget & Pick<RouterEngine, "upsertAgent">>(
  agentCount: number,
  engine: E,
): { engine: E; sim: Sim } {
  for (const agent of makeAgents(agentCount, SEED)) {
    engine.upsertAgent({ nowMs: 0, agent });
    engine.setAgentPresence({ nowMs: 0, agentId: agent.id, presence: "AVAILABLE" });
  }
  const sim = Sim.start(agentCount, arrivalRatePerMs(agentCount, 0.5), SEED);
  sim.run(engine, WARM_MS, emptySamples());
  return { engine, sim };
}

function measure(agentCount: number, measureMs: number, keepSnapshot: boolean): Run {
  const { engine, sim } = warmedUp(agentCount, createRouterEngine({ routing: ROUTING }));
  const snapshotAfterWarmUp = keepSnapshot ? engine.snapshot() : null;
  const simAfterWarmUp = keepSnapshot ? sim.clone() : null;
  const samples = emptySamples();
  sim.run(engine, WARM_MS + measureMs, samples);
  return { engine, sim, samples, snapshotAfterWarmUp, simAfterWarmUp };
}

function summary(s: Samples) {
  const all = s.matchNs.concat(s.noMatchNs);
  return {
    decisions: s.decisions,
    decisionsPerSec: Math.round(s.decisions / (s.decisionNs / 1e9)),
    p50Us: percentileUs(all, 50),
    p99Us: percentileUs(all, 99),
    p999Us: percentileUs(all, 99.9),
    noMatch: s.noMatchNs.length,
    noMatchP99Us: percentileUs(s.noMatchNs, 99),
  };
}

/** An engine restored from the warmed snapshot, with its own copy of the warmed driver. */
interface Replay {
  readonly engine: RouterEngine;
  readonly sim: Sim;
  readonly samples: Samples;
}

function restoreReplay(run: Run, strategy: "indexed" | "naive-scan"): Replay {
  const engine = restoreRouterEngine(
    run.snapshotAfterWarmUp as ReturnType<RouterEngine["snapshot"]>,
    { strategy },
  );
  return { engine, sim: (run.simAfterWarmUp as Sim).clone(), samples: emptySamples() };
}

/**
 * The baseline window, replayed by the naive engine and `repeats` indexed engines in slices
 * of SLICE_MS taken in turn: machine load that comes and goes (the bench shares its cores)
 * then hits both strategies alike instead of whichever happened to run during the spike.
 */
function replayInterleaved(run: Run, windowMs: number, repeats: number) {
  const naive = restoreReplay(run, "naive-scan");
  const indexed = Array.from({ length: repeats }, () => restoreReplay(run, "indexed"));
  for (let t = SLICE_MS; t < windowMs + SLICE_MS; t += SLICE_MS) {
    const end = WARM_MS + Math.min(t, windowMs);
    naive.sim.run(naive.engine, end, naive.samples);
    for (const r of indexed) r.sim.run(r.engine, end, r.samples);
  }
  for (const r of indexed) {
    if (
      naive.samples.digest !== r.samples.digest ||
      naive.samples.decisions !== r.samples.decisions
    ) {
      throw new Error("baseline and indexed engines made different decisions on the same trace");
    }
  }
  const runs = indexed.map((r) => summary(r.samples));
  runs.sort((x, y) => x.decisionsPerSec - y.decisionsPerSec);
  return {
    naive: summary(naive.samples),
    indexed: runs[runs.length >> 1] as ReturnType<typeof summary>,
  };
}

/**
 * A fresh engine and the floor, each with its own driver (their decisions differ, so their
 * traces do), warmed alike and then advanced in alternating slices, order flipped each slice.
 */
function floorBeside(agentCount: number, windowMs: number) {
  const runs = [
    warmedUp(agentCount, createRouterEngine({ routing: ROUTING })),
    warmedUp(agentCount, new FloorEngine()),
  ].map((r) => ({ ...r, samples: emptySamples() }));
  for (let t = SLICE_MS, k = 0; t < windowMs + SLICE_MS; t += SLICE_MS, k++) {
    const end = WARM_MS + Math.min(t, windowMs);
    for (const r of k % 2 === 0 ? runs : [...runs].reverse()) r.sim.run(r.engine, end, r.samples);
  }
  const [engine, floor] = runs.map((r) => summary(r.samples)) as [
    ReturnType<typeof summary>,
    ReturnType<typeof summary>,
  ];
  return { engine, floor };
}

/** The floor alone, as `measure` runs the engine: for its p99 at 1k and 100k agents. */
function measureFloor(agentCount: number, measureMs: number) {
  const { engine, sim } = warmedUp(agentCount, new FloorEngine());
  const samples = emptySamples();
  sim.run(engine, WARM_MS + measureMs, samples);
  return summary(samples);
}

const started = Date.now();
const main = measure(10_000, quick ? 600_000 : 3_600_000, true);
const heapMB = round2(process.memoryUsage().heapUsed / 2 ** 20);
const m = summary(main.samples);

const BASELINE_WINDOW_MS = quick ? 30_000 : 180_000;
const SLICE_MS = 20_000;
const INDEXED_REPEATS = quick ? 3 : 5;
const baseline = replayInterleaved(main, BASELINE_WINDOW_MS, INDEXED_REPEATS);
const b = baseline.naive;
const iw = baseline.indexed;

const small = summary(measure(1_000, quick ? 3_000_000 : 20_000_000, false).samples);
const large = summary(measure(100_000, quick ? 120_000 : 600_000, false).samples);
const beside = floorBeside(10_000, quick ? 600_000 : 1_800_000);
const floorSmall = measureFloor(1_000, quick ? 3_000_000 : 20_000_000);
const floorLarge = measureFloor(100_000, quick ? 120_000 : 600_000);
const machine = loadLatencies();

const result = {
  bench: "router",
  agents: 10_000,
  skills: SKILL_COUNT,
  decisions: m.decisions,
  decisionsPerSec: m.decisionsPerSec,
  p50Us: m.p50Us,
  p99Us: m.p99Us,
  p999Us: m.p999Us,
  noMatchP99Us: m.noMatchP99Us,
  heapMB,
  baseline: { name: "naive-scan", decisionsPerSec: b.decisionsPerSec, p99Us: b.p99Us },
  speedup: round2(iw.decisionsPerSec / b.decisionsPerSec),
  scaling: [
    { agents: 1_000, p99Us: small.p99Us },
    { agents: 10_000, p99Us: m.p99Us },
    { agents: 100_000, p99Us: large.p99Us },
  ],
  floor: {
    name: "minimal-bookkeeping",
    decisionsPerSec: beside.floor.decisionsPerSec,
    p50Us: beside.floor.p50Us,
    p99Us: beside.floor.p99Us,
    engineBeside: {
      decisionsPerSec: beside.engine.decisionsPerSec,
      p50Us: beside.engine.p50Us,
      p99Us: beside.engine.p99Us,
    },
    scaling: [
      { agents: 1_000, p99Us: floorSmall.p99Us },
      { agents: 10_000, p99Us: beside.floor.p99Us },
      { agents: 100_000, p99Us: floorLarge.p99Us },
    ],
  },
  machine: { dependentLoadNs: machine },
};

if (!args.has("--json") || process.stdout.isTTY) {
  const row = (name: string, s: ReturnType<typeof summary>) =>
    `${name.padEnd(28)}${String(s.decisions).padStart(9)}${String(s.decisionsPerSec).padStart(12)}` +
    `${String(s.p50Us).padStart(9)}${String(s.p99Us).padStart(9)}${String(s.p999Us).padStart(10)}` +
    `${String(s.noMatch).padStart(9)}${String(s.noMatchP99Us).padStart(12)}`;
  console.log(
    `${"run".padEnd(28)}${"decisions".padStart(9)}${"dec/s".padStart(12)}${"p50µs".padStart(9)}${"p99µs".padStart(9)}${"p99.9µs".padStart(10)}${"nomatch".padStart(9)}${"nomatchp99".padStart(12)}`,
  );
  console.log(row("indexed 10k (main window)", m));
  console.log(row(`indexed 10k (baseline, med/${INDEXED_REPEATS})`, iw));
  console.log(row("naive-scan 10k (baseline)", b));
  console.log(row("indexed 1k", small));
  console.log(row("indexed 100k", large));
  console.log(row("indexed 10k (beside floor)", beside.engine));
  console.log(row("floor 10k (least bookkeeping)", beside.floor));
  console.log(row("floor 1k", floorSmall));
  console.log(row("floor 100k", floorLarge));
  console.log(
    `machine: one dependent load ${machine.map((m) => `${m.ns} ns at ${m.mb} MB`).join(", ")}`,
  );
  console.log(
    `heap ${heapMB} MB after the 10k run; speedup ${result.speedup}×; decisions identical on the shared window: yes; ${Math.round((Date.now() - started) / 1000)} s total`,
  );
}
console.log(JSON.stringify(result));
