/** Runs a scenario under each of its policies, one after the other, on the same trace. */
import type { KpiReport } from "./kpi.js";
import type { PolicyName, Scenario } from "./scenario-types.js";
import { type PolicyRun, runPolicy } from "./simulator.js";

export interface SimResult {
  readonly name: string;
  readonly seed: number;
  readonly durationHours: number;
  readonly warmupHours: number;
  readonly intervalMinutes: number;
  readonly slThresholdS: number;
  readonly policies: readonly PolicyRun[];
}

export interface RunScenarioOptions {
  /** Overrides the scenario's own list. */
  readonly policies?: readonly PolicyName[];
  /** Share of the whole run done, 0..1, across policies. */
  readonly onProgress?: (fraction: number) => void;
}

export function runScenario(s: Scenario, options: RunScenarioOptions = {}): SimResult {
  const policies = options.policies ?? s.policies;
  const onProgress = options.onProgress;
  const runs = policies.map((policy, i) =>
    runPolicy(
      s,
      policy,
      onProgress === undefined ? {} : { onProgress: (f) => onProgress((i + f) / policies.length) },
    ),
  );
  return {
    name: s.name,
    seed: s.seed,
    durationHours: s.durationHours,
    warmupHours: s.warmupHours,
    intervalMinutes: s.intervalMinutes,
    slThresholdS: s.slThresholdS,
    policies: runs,
  };
}

/** The result without per-interval rows: what `simulate --json` prints. */
export function summarize(result: SimResult): Omit<SimResult, "policies"> & {
  policies: (Omit<PolicyRun, "intervals"> & Pick<KpiReport, never>)[];
} {
  return {
    ...result,
    policies: result.policies.map(({ intervals: _, ...rest }) => rest),
  };
}
