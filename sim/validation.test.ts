/**
 * The simulator, driving the real engine, against closed-form queueing theory.
 *
 * Single queue, single skill, Poisson arrivals, exponential handling, agents who accept at
 * once: M/M/n (Erlang C) without patience, M/M/n+M (Erlang A) with exponential patience.
 * Each case runs with a fixed seed; the first 1% (≤ 10 h) is warm-up. The tolerance is
 * statistical: the run is cut into 20 equal batches (batch means, which absorbs the strong
 * autocorrelation of queue waits), and each KPI must lie within 4 standard errors of the batch
 * means of the formula, plus 0.002 (absolute, for shares) for millisecond rounding. The test
 * also requires the standard error itself to be small, so a pass is not vacuous.
 * Run lengths (≈ 100 000–150 000 contacts per case) keep the file at a few seconds per case.
 */
import { describe, expect, it } from "vitest";
import { erlangA } from "./erlang-a.js";
import type { QueueMetrics } from "./erlang-types.js";
import type { Kpis } from "./kpi.js";
import { quickScenario } from "./scenario-quick.js";
import { runPolicy } from "./simulator.js";

const BATCHES = 20;

interface Case {
  readonly arrivalsPerHour: number;
  readonly ahtS: number;
  readonly agents: number;
  readonly patienceS?: number;
  readonly hours: number;
  readonly seed: number;
}

function simulateCase(c: Case) {
  const warmupHours = Math.min(10, c.hours * 0.01);
  const scenario = quickScenario({
    ...c,
    slThresholdS: 20,
    warmupHours,
    intervalMinutes: Math.ceil(((c.hours - warmupHours) * 60) / BATCHES),
  });
  const run = runPolicy(scenario, "switchboard");
  const predicted = erlangA({ ...c, slThresholdS: 20 });
  return { run, predicted };
}

type Metric = "serviceLevel" | "asaS" | "pWait" | "abandonRate" | "meanWaitS" | "occupancy";

function check(
  metric: Metric,
  overall: Kpis,
  batches: readonly Kpis[],
  predicted: QueueMetrics,
  maxRelativeSe: number,
) {
  const values = batches.map((b) => b[metric] ?? 0);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
  const se = sd / Math.sqrt(values.length);
  const expected = predicted[metric];
  const tolerance = 4 * se + (metric.endsWith("S") ? 0.01 : 0.002);
  const got = overall[metric] ?? 0;
  const at = `${metric}: sim ${got.toFixed(4)} vs ${expected.toFixed(4)} (se ${se.toFixed(4)})`;
  expect(Math.abs(got - expected), at).toBeLessThanOrEqual(tolerance);
  expect(se, `${at}: run too short`).toBeLessThanOrEqual(maxRelativeSe * Math.max(expected, 0.01));
}

describe("simulation agrees with Erlang C (no abandonment)", () => {
  it("6 agents, 100/h, AHT 180 s (ρ = 0.83), 1500 h, seed 1", () => {
    const { run, predicted } = simulateCase({
      arrivalsPerHour: 100,
      ahtS: 180,
      agents: 6,
      hours: 1500,
      seed: 1,
    });
    expect(run.overall.abandoned).toBe(0);
    for (const m of ["serviceLevel", "pWait", "occupancy"] as const)
      check(m, run.overall, run.intervals, predicted, 0.05);
    check("asaS", run.overall, run.intervals, predicted, 0.08);
  });

  it("50 agents, 900/h, AHT 180 s (ρ = 0.9), 150 h, seed 2", () => {
    const { run, predicted } = simulateCase({
      arrivalsPerHour: 900,
      ahtS: 180,
      agents: 50,
      hours: 150,
      seed: 2,
    });
    for (const m of ["serviceLevel", "pWait", "occupancy"] as const)
      check(m, run.overall, run.intervals, predicted, 0.05);
    check("asaS", run.overall, run.intervals, predicted, 0.15);
  });
});

describe("simulation agrees with Erlang A (exponential patience)", () => {
  it("6 agents, 100/h, AHT 180 s, patience 60 s, 1000 h, seed 3", () => {
    const { run, predicted } = simulateCase({
      arrivalsPerHour: 100,
      ahtS: 180,
      agents: 6,
      patienceS: 60,
      hours: 1000,
      seed: 3,
    });
    for (const m of [
      "serviceLevel",
      "pWait",
      "abandonRate",
      "meanWaitS",
      "asaS",
      "occupancy",
    ] as const)
      check(m, run.overall, run.intervals, predicted, 0.05);
  });

  it("overloaded: 18 agents, 400/h, AHT 180 s (ρ = 1.11), patience 120 s, 250 h, seed 4", () => {
    const { run, predicted } = simulateCase({
      arrivalsPerHour: 400,
      ahtS: 180,
      agents: 18,
      patienceS: 120,
      hours: 250,
      seed: 4,
    });
    for (const m of ["serviceLevel", "pWait", "abandonRate", "meanWaitS", "occupancy"] as const)
      check(m, run.overall, run.intervals, predicted, 0.05);
  });
});
