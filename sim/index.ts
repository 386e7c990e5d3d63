/**
 * The sim folder's public surface: closed-form Erlang models and staffing, the scenario
 * loader, the simulator that drives the real router engine, reports, and the two command
 * entry points the CLI wires (`simulate`, `staff`).
 */
export type { CommandIo } from "./cli-flags.js";
export { runSimulateCommand, SIMULATE_USAGE } from "./cli-simulate.js";
export { runStaffCommand, STAFF_USAGE } from "./cli-staff.js";
export { erlangA } from "./erlang-a.js";
export { erlangB, erlangC, erlangCProbability } from "./erlang-c.js";
export type { QueueMetrics, QueueModelInput } from "./erlang-types.js";
export type { IntervalKpis, KpiReport, Kpis } from "./kpi.js";
export { createRandom, type Random } from "./random.js";
export { renderCsv } from "./report-csv.js";
export { writeReports } from "./report-files.js";
export { renderHtml } from "./report-html.js";
export { type RunScenarioOptions, runScenario, type SimResult, summarize } from "./run-scenario.js";
export { loadScenario, parseScenario } from "./scenario-load.js";
export { normalizeScenario } from "./scenario-normalize.js";
export { type QuickScenarioOptions, quickScenario } from "./scenario-quick.js";
export type { PolicyName, Scenario } from "./scenario-types.js";
export type { PolicyRun, RunOptions } from "./simulator.js";
export { runPolicy } from "./simulator.js";
export { type StaffingResult, type StaffingTarget, staffFor } from "./staffing.js";
