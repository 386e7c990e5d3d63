/**
 * `switchboard staff --arrivals-per-hour 1000 --aht-s 300 --sl 0.8 --sl-threshold-s 20
 *  [--patience-s N] [--max-asa-s S] [--max-abandon R] [--json]`
 * The fewest agents meeting the target under Erlang C, or Erlang A with --patience-s.
 */
import { type CommandIo, numberFlag, parseFlags, requireFlag, withExitCode } from "./cli-flags.js";
import { staffFor } from "./staffing.js";

export const STAFF_USAGE = `Usage: switchboard staff --arrivals-per-hour N --aht-s S --sl 0.8 [options]

  --arrivals-per-hour N   Poisson arrival rate (required)
  --aht-s S               mean handle time in seconds (required)
  --sl R                  service-level target, share answered within the threshold, 0..1 (required)
  --sl-threshold-s S      service-level threshold in seconds (default 20)
  --patience-s S          mean exponential patience: Erlang A instead of Erlang C
  --max-asa-s S           also keep the average speed of answer at or below S
  --max-abandon R         also keep abandonment at or below R (0..1, with --patience-s)
  --json                  print one JSON object
  -h, --help              this help
`;

export async function runStaffCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  return withExitCode("staff", io, async () => {
    const values = parseFlags(argv, {
      "arrivals-per-hour": { type: "string" },
      "aht-s": { type: "string" },
      sl: { type: "string" },
      "sl-threshold-s": { type: "string" },
      "patience-s": { type: "string" },
      "max-asa-s": { type: "string" },
      "max-abandon": { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    });
    if (values.help === true) {
      io.stdout.write(STAFF_USAGE);
      return 0;
    }
    const arrivalsPerHour = requireFlag(
      numberFlag(values, "arrivals-per-hour", { min: 0 }),
      "arrivals-per-hour",
    );
    const ahtS = requireFlag(numberFlag(values, "aht-s", { min: 0, exclusiveMin: true }), "aht-s");
    const sl = requireFlag(numberFlag(values, "sl", { min: 0, max: 0.999999 }), "sl");
    const slThresholdS = numberFlag(values, "sl-threshold-s", { min: 0 }) ?? 20;
    const patienceS = numberFlag(values, "patience-s", { min: 0, exclusiveMin: true });
    const maxAsaS = numberFlag(values, "max-asa-s", { min: 0 });
    const maxAbandonRate = numberFlag(values, "max-abandon", { min: 0, max: 1 });
    const r = staffFor({
      arrivalsPerHour,
      ahtS,
      serviceLevel: sl,
      slThresholdS,
      ...(patienceS === undefined ? {} : { patienceS }),
      ...(maxAsaS === undefined ? {} : { maxAsaS }),
      ...(maxAbandonRate === undefined ? {} : { maxAbandonRate }),
    });
    const m = r.metrics;
    const out = {
      agents: r.agents,
      model: m.model,
      serviceLevel: m.serviceLevel,
      slTarget: sl,
      slThresholdS,
      asaS: m.asaS,
      pWait: m.pWait,
      abandonRate: m.abandonRate,
      occupancy: m.occupancy,
      loadErlangs: m.loadErlangs,
      arrivalsPerHour,
      ahtS,
      ...(patienceS === undefined ? {} : { patienceS }),
    };
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify(out)}\n`);
      return 0;
    }
    io.stdout.write(
      `${r.agents} agents (${m.model}, load ${m.loadErlangs.toFixed(1)} Erlangs): ` +
        `service level ${(m.serviceLevel * 100).toFixed(1)}% within ${slThresholdS} s, ` +
        `ASA ${m.asaS.toFixed(1)} s, waiting ${(m.pWait * 100).toFixed(1)}%, ` +
        `abandoned ${(m.abandonRate * 100).toFixed(1)}%, occupancy ${(m.occupancy * 100).toFixed(1)}%\n`,
    );
    return 0;
  });
}
