/**
 * `switchboard simulate`: a scenario file (`--scenario x.yaml|json`), or the quick single-queue
 * form (`--arrivals-per-hour --aht-s --agents --hours [--patience-s] …`) that also prints the
 * Erlang C / Erlang A prediction beside the simulated KPIs. `--json` makes the last stdout line
 * one JSON object; `--out <dir>` writes JSON, CSV and an HTML report.
 */
import {
  type CommandIo,
  type FlagValues,
  numberFlag,
  parseFlags,
  requireFlag,
  UsageError,
  withExitCode,
} from "./cli-flags.js";
import { erlangA } from "./erlang-a.js";
import { createProgressBar } from "./progress-bar.js";
import { writeReports } from "./report-files.js";
import { runScenario, type SimResult, summarize } from "./run-scenario.js";
import { loadScenario } from "./scenario-load.js";
import { quickScenario } from "./scenario-quick.js";
import type { PolicyName, Scenario } from "./scenario-types.js";

export const SIMULATE_USAGE = `Usage: switchboard simulate --scenario <file.yaml|json> [options]
       switchboard simulate --arrivals-per-hour N --aht-s S --agents N --hours H [options]

  --scenario FILE         full scenario (format: sim/README.md, example: sim/examples/)
  --arrivals-per-hour N   quick single queue: Poisson arrival rate
  --aht-s S               quick: mean (exponential) handle time, seconds
  --agents N              quick: number of agents, always logged in
  --patience-s S          quick: mean exponential patience (abandonment); default none
  --sl-threshold-s S      service-level threshold, seconds (default 20, or the scenario's)
  --hours H               simulated hours (required for quick; overrides the scenario's)
  --warmup-hours H        not counted at the start (quick default: 1% of the run, at most 10)
  --seed N                random seed (default 1, or the scenario's)
  --policy P              switchboard | fifo; repeat to compare (default: the scenario's list)
  --json                  print one JSON object as the last line
  --out DIR               write result.json, kpis.csv and report.html into DIR
  -h, --help              this help
`;

const QUICK_FLAGS = ["arrivals-per-hour", "aht-s", "agents", "patience-s"] as const;

export async function runSimulateCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  return withExitCode("simulate", io, async () => {
    const values = parseFlags(argv, {
      scenario: { type: "string" },
      "arrivals-per-hour": { type: "string" },
      "aht-s": { type: "string" },
      agents: { type: "string" },
      "patience-s": { type: "string" },
      "sl-threshold-s": { type: "string" },
      hours: { type: "string" },
      "warmup-hours": { type: "string" },
      seed: { type: "string" },
      policy: { type: "string", multiple: true },
      json: { type: "boolean" },
      out: { type: "string" },
      help: { type: "boolean", short: "h" },
    });
    if (values.help === true) {
      io.stdout.write(SIMULATE_USAGE);
      return 0;
    }
    const quick = values.scenario === undefined;
    const scenario = quick ? quickFromFlags(values) : await scenarioFromFlags(values);
    const policies = policiesFrom(values);
    const bar = createProgressBar(io.stderr, "simulate");
    const result = runScenario(scenario, {
      ...(policies === undefined ? {} : { policies }),
      onProgress: (f) => bar.update(f),
    });
    bar.done();
    if (typeof values.out === "string") {
      const paths = await writeReports(values.out, result);
      io.stderr.write(`simulate: wrote ${paths.join(", ")}\n`);
    }
    if (quick) printQuick(values, scenario, result, io);
    else if (values.json === true) io.stdout.write(`${JSON.stringify(summarize(result))}\n`);
    else printScenario(result, io);
    return 0;
  });
}

function quickFromFlags(values: FlagValues): Scenario {
  if (QUICK_FLAGS.every((f) => values[f] === undefined))
    throw new UsageError(
      "give --scenario <file>, or --arrivals-per-hour, --aht-s, --agents and --hours",
    );
  const patienceS = numberFlag(values, "patience-s", { min: 0, exclusiveMin: true });
  const warmupHours = numberFlag(values, "warmup-hours", { min: 0 });
  const hours = requireFlag(
    numberFlag(values, "hours", { min: 0, exclusiveMin: true, max: 1_000_000 }),
    "hours",
  );
  if (warmupHours !== undefined && warmupHours >= hours)
    throw new UsageError("--warmup-hours must be less than --hours");
  return quickScenario({
    arrivalsPerHour: requireFlag(
      numberFlag(values, "arrivals-per-hour", { min: 0 }),
      "arrivals-per-hour",
    ),
    ahtS: requireFlag(numberFlag(values, "aht-s", { min: 0, exclusiveMin: true }), "aht-s"),
    agents: requireFlag(
      numberFlag(values, "agents", { min: 1, int: true, max: 1_000_000 }),
      "agents",
    ),
    hours,
    seed: numberFlag(values, "seed", { min: 0, int: true, max: 2 ** 32 - 1 }) ?? 1,
    slThresholdS: numberFlag(values, "sl-threshold-s", { min: 0 }) ?? 20,
    ...(patienceS === undefined ? {} : { patienceS }),
    ...(warmupHours === undefined ? {} : { warmupHours }),
  });
}

async function scenarioFromFlags(values: FlagValues): Promise<Scenario> {
  const mixed = QUICK_FLAGS.find((f) => values[f] !== undefined);
  if (mixed !== undefined) throw new UsageError(`--${mixed} cannot be combined with --scenario`);
  const s = await loadScenario(values.scenario as string);
  const seed = numberFlag(values, "seed", { min: 0, int: true, max: 2 ** 32 - 1 });
  const hours = numberFlag(values, "hours", { min: 0, exclusiveMin: true, max: 100_000 });
  const warmupHours = numberFlag(values, "warmup-hours", { min: 0 });
  const slThresholdS = numberFlag(values, "sl-threshold-s", { min: 0 });
  const merged: Scenario = {
    ...s,
    ...(seed === undefined ? {} : { seed }),
    ...(hours === undefined ? {} : { durationHours: hours }),
    ...(warmupHours === undefined ? {} : { warmupHours }),
    ...(slThresholdS === undefined ? {} : { slThresholdS }),
  };
  if (merged.warmupHours >= merged.durationHours)
    throw new UsageError("--warmup-hours must be less than the simulated hours");
  return merged;
}

function policiesFrom(values: FlagValues): PolicyName[] | undefined {
  const raw = values.policy;
  if (raw === undefined) return undefined;
  const list = (Array.isArray(raw) ? raw : [raw]).map(String);
  for (const p of list)
    if (p !== "switchboard" && p !== "fifo")
      throw new UsageError(`--policy must be switchboard or fifo, got ${JSON.stringify(p)}`);
  return [...new Set(list)] as PolicyName[];
}

function printQuick(values: FlagValues, s: Scenario, result: SimResult, io: CommandIo): void {
  const stream = s.streams[0];
  const run = result.policies[0];
  if (stream === undefined || run === undefined) return;
  const patience = stream.patience;
  const predicted = erlangA({
    arrivalsPerHour: stream.perHour,
    ahtS: stream.handle.meanS,
    agents: s.agentGroups[0]?.count ?? 1,
    slThresholdS: s.slThresholdS,
    ...(patience === null ? {} : { patienceS: patience.meanS }),
  });
  const k = run.overall;
  const out = {
    serviceLevel: k.serviceLevel,
    asaS: k.asaS,
    pWait: k.pWait,
    abandonRate: k.abandonRate,
    occupancy: k.occupancy,
    contacts: k.contacts,
    answered: k.answered,
    abandoned: k.abandoned,
    meanWaitS: k.meanWaitS,
    ahtS: k.ahtS,
    slThresholdS: s.slThresholdS,
    hours: s.durationHours,
    warmupHours: s.warmupHours,
    seed: s.seed,
    policy: run.policy,
    wallSeconds: run.wallSeconds,
    erlang: {
      model: predicted.model,
      serviceLevel: predicted.serviceLevel,
      asaS: predicted.asaS,
      pWait: predicted.pWait,
      abandonRate: predicted.abandonRate,
      occupancy: predicted.occupancy,
      meanWaitS: predicted.meanWaitS,
    },
  };
  if (values.json === true) {
    io.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  const row = (label: string, sim: number, erl: number, fmt: (v: number) => string) =>
    `  ${label.padEnd(16)}${fmt(sim).padStart(10)}${fmt(erl).padStart(12)}\n`;
  const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
  const sec = (v: number) => `${v.toFixed(2)} s`;
  io.stdout.write(
    `${s.name}; ${k.contacts} contacts in ${s.durationHours} h (seed ${s.seed})\n` +
      `  ${"".padEnd(16)}${"simulated".padStart(10)}${predicted.model.padStart(12)}\n` +
      row(`SL (${s.slThresholdS} s)`, k.serviceLevel, predicted.serviceLevel, pct) +
      row("ASA", k.asaS, predicted.asaS, sec) +
      row("P(wait)", k.pWait, predicted.pWait, pct) +
      row("abandoned", k.abandonRate, predicted.abandonRate, pct) +
      row("occupancy", k.occupancy ?? 0, predicted.occupancy, pct),
  );
}

function printScenario(result: SimResult, io: CommandIo): void {
  io.stdout.write(`${result.name}: ${result.durationHours} h, seed ${result.seed}\n`);
  for (const p of result.policies) {
    const k = p.overall;
    io.stdout.write(
      `  ${p.policy.padEnd(12)} contacts ${k.contacts}, SL ${(k.serviceLevel * 100).toFixed(1)}%, ` +
        `ASA ${k.asaS.toFixed(1)} s, abandoned ${(k.abandonRate * 100).toFixed(1)}%, ` +
        `AHT ${k.ahtS.toFixed(0)} s, occupancy ${((k.occupancy ?? 0) * 100).toFixed(1)}%, ` +
        `repeats to last agent ${(k.repeatSameAgentShare * 100).toFixed(1)}%\n`,
    );
    for (const [q, qk] of Object.entries(p.byQueue)) {
      io.stdout.write(
        `    ${q.padEnd(14)} ${String(qk.contacts).padStart(8)} SL ${(qk.serviceLevel * 100).toFixed(1)}% ASA ${qk.asaS.toFixed(1)} s abandoned ${(qk.abandonRate * 100).toFixed(1)}%\n`,
      );
    }
  }
}
