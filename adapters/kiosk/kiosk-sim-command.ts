import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { type KioskSimSummary, runKioskSim } from "./kiosk-sim.js";

type Io = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };

export const KIOSK_SIM_USAGE = `Usage: switchboard kiosk-sim --devices N [options]

Runs N simulated kiosks on real KioskService streams against a running Switchboard (npm start
in another terminal): heartbeats, help requests, faults and their clearing, CSAT answers,
callback acceptances and dropped streams, then prints what happened. Devices must be configured
in the gateway's --channels-file (adapters/kiosk/README.md).
  --devices N            how many kiosks (default 3; 0 with --agents: agents only)
  --target host:port     gateway gRPC address (default 127.0.0.1:50051)
  --channels-file F      take the devices (id and plain token) and flow names from the file's
                         kiosk section: the same file the gateway runs with
  --token T              or: one token for devices <id-prefix>1..N
  --id-prefix P          device id prefix with --token (default "sim-")
  --flows a,b            flows to ask help for (default: the file's flows, else "default")
  --help-rate R          help requests per device per minute (default 6)
  --fault-rate R         faults per device per minute (default 2)
  --reconnect-rate R     stream drops per device per minute (default 1)
  --duration S           seconds to run (default 30)
  --agents N             also run N simulated agents that accept and complete kiosk contacts
  --agent-skills a,b     their skills (default: every skill of the file's flows and faults)
  --admin-token T        token for AdminService/AgentService (not needed in open mode)
  --seed N               repeat a run
  -h, --help             this text
`;

interface FileKiosk {
  devices: { id: string; token: string }[];
  flows: string[];
  skills: string[];
}

/** The simulator's view of a channels file: devices with plain tokens, flow names, skills. */
export function readSimChannelsFile(path: string): FileKiosk {
  const doc = parseYaml(readFileSync(path, "utf8")) as { kiosk?: Record<string, unknown> } | null;
  const kiosk = doc?.kiosk ?? {};
  const list = Array.isArray(kiosk.devices) ? (kiosk.devices as Record<string, unknown>[]) : [];
  const devices = list.flatMap((d) =>
    typeof d?.id === "string" && typeof d.token === "string" ? [{ id: d.id, token: d.token }] : [],
  );
  const skills = new Set<string>();
  const collect = (section: unknown) => {
    if (typeof section !== "object" || section === null) return;
    for (const spec of Object.values(section as Record<string, { skills?: unknown }>)) {
      for (const s of Array.isArray(spec?.skills) ? spec.skills : []) {
        const skill = typeof s === "string" ? s : (s as { skill?: unknown })?.skill;
        if (typeof skill === "string") skills.add(skill);
      }
    }
  };
  collect(kiosk.flows);
  collect(kiosk.faults);
  const flows =
    typeof kiosk.flows === "object" && kiosk.flows !== null ? Object.keys(kiosk.flows) : [];
  return { devices, flows, skills: [...skills] };
}

/** `switchboard kiosk-sim`: parses flags, runs the simulation, prints the summary. */
export async function runKioskSimCommand(argv: readonly string[], io: Io): Promise<number> {
  const fail = (message: string) => {
    io.stderr.write(`kiosk-sim: ${message}\n${KIOSK_SIM_USAGE}`);
    return 2;
  };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        devices: { type: "string" },
        target: { type: "string" },
        "channels-file": { type: "string" },
        token: { type: "string" },
        "id-prefix": { type: "string" },
        flows: { type: "string" },
        "help-rate": { type: "string" },
        "fault-rate": { type: "string" },
        "reconnect-rate": { type: "string" },
        duration: { type: "string" },
        agents: { type: "string" },
        "agent-skills": { type: "string" },
        "admin-token": { type: "string" },
        seed: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (err) {
    return fail((err as Error).message);
  }
  if (values.help) {
    io.stdout.write(KIOSK_SIM_USAGE);
    return 0;
  }
  const str = (key: string) =>
    typeof values[key] === "string" ? (values[key] as string) : undefined;
  const num = (key: string, fallback: number, min: number, max: number): number | string => {
    const raw = str(key);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    return Number.isFinite(n) && n >= min && n <= max
      ? n
      : `--${key} must be a number from ${min} to ${max}`;
  };
  const count = num("devices", 3, 0, 10_000);
  const helpRate = num("help-rate", 6, 0, 6000);
  const faultRate = num("fault-rate", 2, 0, 6000);
  const reconnectRate = num("reconnect-rate", 1, 0, 6000);
  const duration = num("duration", 30, 1, 86_400);
  const agentCount = num("agents", 0, 0, 1000);
  const seed = num("seed", Date.now() % 2 ** 31, 0, 2 ** 31);
  for (const v of [count, helpRate, faultRate, reconnectRate, duration, agentCount, seed]) {
    if (typeof v === "string") return fail(v);
  }
  const n = count as number;
  let file: FileKiosk = { devices: [], flows: [], skills: [] };
  const channelsFile = str("channels-file");
  if (channelsFile !== undefined) {
    try {
      file = readSimChannelsFile(channelsFile);
    } catch (err) {
      return fail(`cannot read ${channelsFile}: ${(err as Error).message}`);
    }
  }
  const token = str("token");
  const devices =
    token !== undefined
      ? Array.from({ length: n }, (_, i) => ({
          id: `${str("id-prefix") ?? "sim-"}${i + 1}`,
          token,
        }))
      : file.devices.slice(0, n);
  if (n === 0 && (agentCount as number) === 0) return fail("--devices 0 needs --agents");
  if (devices.length === 0 && n > 0)
    return fail("give --channels-file (devices with a plain token) or --token");
  if (devices.length < n) {
    return fail(`${channelsFile} has only ${devices.length} devices with a plain token, not ${n}`);
  }
  const flows =
    str("flows")?.split(",").filter(Boolean) ?? (file.flows.length > 0 ? file.flows : ["default"]);
  const target = str("target") ?? "127.0.0.1:50051";
  const say = (line: string) => io.stdout.write(`${line}\n`);
  say(
    `kiosk-sim: ${devices.length} kiosks against ${target} for ${duration as number} s (seed ${seed as number})`,
  );
  const adminToken = str("admin-token");
  let summary: KioskSimSummary;
  try {
    summary = await runKioskSim({
      target,
      devices,
      durationMs: (duration as number) * 1000,
      helpPerMinute: helpRate as number,
      faultPerMinute: faultRate as number,
      reconnectPerMinute: reconnectRate as number,
      flows,
      agents: agentCount as number,
      agentSkills: str("agent-skills")?.split(",").filter(Boolean) ?? file.skills,
      ...(adminToken !== undefined && { adminToken }),
      seed: seed as number,
      log: (line) => say(`  ${line}`),
    });
  } catch (err) {
    io.stderr.write(
      `kiosk-sim: ${(err as Error).message} (is Switchboard running? try npm start)\n`,
    );
    return 1;
  }
  say(formatSummary(summary));
  return summary.welcomes > 0 || devices.length === 0 ? 0 : 1;
}

export function formatSummary(s: KioskSimSummary): string {
  return [
    `kiosks           ${s.devices} (${s.welcomes} welcomes, ${s.refused} refused, ${s.reconnects} reconnects, ${s.resumed} requests resumed)`,
    `help requests    ${s.helpRequests} sent, ${s.contactsCreated} contacts followed, ${s.agentsJoined} agents joined, ${s.ended} ended`,
    `callbacks        ${s.callbacksOffered} offered, ${s.callbacksAccepted} accepted`,
    `csat             ${s.csatQuestions} asked, ${s.csatAnswered} answered`,
    `faults           ${s.faultsSent} sent → ${s.faultsRaised} raised, ${s.faultsDeduped} deduped; ${s.faultsCleared} cleared, ${s.faultsResolved} resolved`,
    `heartbeats       ${s.heartbeats}`,
    `errors           ${s.errors}`,
    ...(s.agentsAccepted > 0 ? [`simulated agents accepted ${s.agentsAccepted} contacts`] : []),
  ].join("\n");
}
