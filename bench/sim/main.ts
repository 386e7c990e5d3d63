/**
 * Simulator throughput: one million contacts, 500 agents, through the real router engine.
 * One queue at ρ ≈ 0.95 (5 700 contacts/h, AHT 300 s), exponential patience 120 s, 1% of offers
 * rejected and 0.5% left to time out, 10% repeat customers — so abandonment, re-offers, AWAY
 * agents coming back and customer history are all exercised, not just the happy path.
 *
 *   npx tsx bench/sim/main.ts [--json] [--contacts N] [--history-capacity N]
 *
 * The engine keeps customer history for `historyCapacity` customers (its default, 100 000, unless
 * --history-capacity is given); the repeat customers here need it.
 *
 * Prints contacts simulated per second; the last line is always one JSON object.
 */
import { parseArgs } from "node:util";
import { quickScenario, runPolicy, type Scenario } from "../../sim/index.js";

const { values } = parseArgs({
  options: {
    json: { type: "boolean" },
    contacts: { type: "string" },
    "history-capacity": { type: "string" },
  },
  strict: true,
});
const contacts = Number(values.contacts ?? 1_000_000);
const agents = 500;
const arrivalsPerHour = 5_700;
const base = quickScenario({
  arrivalsPerHour,
  ahtS: 300,
  agents,
  patienceS: 120,
  hours: contacts / arrivalsPerHour,
  seed: 1,
  warmupHours: 0,
});
const stream = base.streams[0];
if (stream === undefined) throw new Error("quick scenario has no stream");
const scenario: Scenario = {
  ...base,
  name: "bench: 500 agents, one queue",
  engine:
    values["history-capacity"] === undefined
      ? {}
      : { historyCapacity: Number(values["history-capacity"]) },
  streams: [{ ...stream, repeatShare: 0.1 }],
  behaviour: { ...base.behaviour, rejectRate: 0.01, timeoutRate: 0.005, awayS: 60 },
};

const started = performance.now();
const run = runPolicy(scenario, "switchboard");
const seconds = (performance.now() - started) / 1000;
const result = {
  bench: "sim",
  contacts: run.contactsSimulated,
  agents,
  historyCapacity: scenario.engine.historyCapacity ?? 100_000,
  seconds: Number(seconds.toFixed(2)),
  contactsPerSec: Math.round(run.contactsSimulated / seconds),
  engineCommands: run.engineCommands,
  serviceLevel: Number(run.overall.serviceLevel.toFixed(4)),
  abandonRate: Number(run.overall.abandonRate.toFixed(4)),
  occupancy: Number((run.overall.occupancy ?? 0).toFixed(4)),
};
if (values.json !== true) {
  console.log(
    `simulated ${result.contacts} contacts with ${agents} agents in ${result.seconds} s: ` +
      `${result.contactsPerSec} contacts/s (${result.engineCommands} engine commands)`,
  );
}
console.log(JSON.stringify(result));
