/**
 * Scenario input (parsed YAML/JSON) → a validated `Scenario`: defaults, then normalization,
 * then validation, in one place. Routing and engine options are validated by the engine itself
 * (a dry `createRouterEngine`), so the simulator never second-guesses the router's rules.
 * Throws one SwitchboardError INVALID_ARGUMENT listing every violation.
 */
import { invalidArgument } from "../core/index.js";
import { createRouterEngine, type RoutingConfig } from "../router/index.js";
import { readAgentGroup, readDay, readDist, readStream } from "./scenario-parts.js";
import { createReader } from "./scenario-reader.js";
import type { BehaviourSpec, DurationDist, PolicyName, Scenario } from "./scenario-types.js";

const NO_DELAY: DurationDist = { dist: "constant", meanS: 0 };
const POLICIES: readonly PolicyName[] = ["switchboard", "fifo"];

export function normalizeScenario(input: unknown): Scenario {
  const r = createReader();
  const o = r.obj(input, "scenario");
  const b = r.obj(o.behaviour, "behaviour");
  const behaviour: BehaviourSpec = {
    rejectRate: r.num(b, "rejectRate", "behaviour", { min: 0, max: 1, fallback: 0 }),
    timeoutRate: r.num(b, "timeoutRate", "behaviour", { min: 0, max: 1, fallback: 0 }),
    acceptDelay: readDist(r, b.acceptDelay, "behaviour.acceptDelay", NO_DELAY),
    rejectDelay: readDist(r, b.rejectDelay, "behaviour.rejectDelay", NO_DELAY),
    awayS: r.num(b, "awayS", "behaviour", { min: 0, fallback: 120 }),
    sameAgentHandleFactor: r.num(b, "sameAgentHandleFactor", "behaviour", {
      min: 0.01,
      max: 10,
      fallback: 1,
    }),
  };
  if (behaviour.rejectRate + behaviour.timeoutRate > 1)
    r.fail("behaviour", "rejectRate + timeoutRate must be <= 1");
  const policies = r.list(o, "policies", "").map((p, i) => {
    if (!POLICIES.includes(p as PolicyName))
      r.fail(`policies[${i}]`, `must be one of ${POLICIES.join(", ")}, got ${JSON.stringify(p)}`);
    return p as PolicyName;
  });
  const streams = r.list(o, "streams", "").map((s, i) => readStream(r, s, `streams[${i}]`));
  if (streams.length === 0) r.fail("streams", "must list at least one arrival stream");
  const agentGroups = r.list(o, "agents", "").map((g, i) => readAgentGroup(r, g, `agents[${i}]`));
  if (agentGroups.length === 0) r.fail("agents", "must list at least one agent group");
  const routing = (o.routing ?? {
    queues: [{ id: "default" }],
    rules: [],
    defaultQueueId: "default",
  }) as RoutingConfig;
  const engine = r.obj(o.engine, "engine");
  const scenario: Scenario = {
    name: r.str(o, "name", "", "scenario"),
    seed: r.num(o, "seed", "", { int: true, min: 0, max: 2 ** 32 - 1, fallback: 1 }),
    durationHours: r.num(o, "durationHours", "", { min: 0.001, max: 100_000 }),
    warmupHours: r.num(o, "warmupHours", "", { min: 0, fallback: 0 }),
    drainHours: r.num(o, "drainHours", "", { min: 0, fallback: 24 }),
    intervalMinutes: r.num(o, "intervalMinutes", "", { min: 1, int: true, fallback: 60 }),
    slThresholdS: r.num(o, "slThresholdS", "", { min: 0, fallback: 20 }),
    startWeekday: o.startWeekday === undefined ? 0 : readDay(r, o.startWeekday, "startWeekday"),
    routing,
    engine,
    streams,
    agentGroups,
    behaviour,
    policies: policies.length > 0 ? policies : ["switchboard"],
  };
  if (scenario.warmupHours >= scenario.durationHours)
    r.fail("warmupHours", "must be less than durationHours");
  checkWithEngine(scenario, r.fail);
  if (r.violations.length > 0) throw invalidArgument(r.violations);
  return scenario;
}

/** Lets the engine judge routing, engine options and agent profiles with its own checks. */
function checkWithEngine(s: Scenario, fail: (field: string, description: string) => void) {
  let engine: ReturnType<typeof createRouterEngine>;
  try {
    engine = createRouterEngine({ ...s.engine, routing: s.routing });
  } catch (err) {
    fail("routing", err instanceof Error ? err.message : String(err));
    return;
  }
  s.agentGroups.forEach((g, i) => {
    try {
      engine.upsertAgent({ nowMs: 0, agent: agentProfile(g, 0) });
    } catch (err) {
      fail(`agents[${i}]`, err instanceof Error ? err.message : String(err));
    }
  });
}

export function agentProfile(g: Scenario["agentGroups"][number], index: number) {
  return {
    id: `${g.id}-${index}`,
    skills: g.skills,
    complexityTier: g.complexityTier,
    languages: g.languages,
    channels: g.channels,
    ...(g.team === null ? {} : { team: g.team }),
    ...(g.authorizations === null ? {} : { authorizations: g.authorizations }),
  };
}
