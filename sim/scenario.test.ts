import { describe, expect, it } from "vitest";
import { SwitchboardError } from "../core/index.js";
import { loadScenario, parseScenario } from "./scenario-load.js";

const MINIMAL = `
durationHours: 24
streams:
  - id: calls
    perHour: 30
    handle: { dist: exponential, meanS: 200 }
agents:
  - id: team
    count: 3
`;

describe("scenario", () => {
  it("fills every default", () => {
    const s = parseScenario(MINIMAL, "yaml");
    expect(s).toMatchObject({
      name: "scenario",
      seed: 1,
      warmupHours: 0,
      intervalMinutes: 60,
      slThresholdS: 20,
      startWeekday: 0,
      policies: ["switchboard"],
      behaviour: { rejectRate: 0, timeoutRate: 0, sameAgentHandleFactor: 1 },
    });
    const stream = s.streams[0];
    expect(stream?.channel).toBe("VOICE");
    expect(stream?.hourly).toHaveLength(24);
    expect(stream?.patience).toBeNull();
    expect(s.agentGroups[0]?.channels).toEqual(["VOICE", "EMAIL", "CHAT", "KIOSK"]);
  });

  it("reads JSON the same way", () => {
    const s = parseScenario(
      JSON.stringify({
        durationHours: 1,
        streams: [{ id: "a", perHour: 1, handle: { meanS: 1 } }],
        agents: [{ id: "t", count: 1 }],
      }),
      "json",
    );
    expect(s.streams[0]?.handle).toEqual({ dist: "exponential", meanS: 1 });
  });

  it("reports every violation at once, including the engine's own routing checks", () => {
    const bad = `
durationHours: 0
startWeekday: someday
routing: { queues: [], rules: [], defaultQueueId: x }
streams:
  - id: a
    perHour: -3
    channel: FAX
    handle: { dist: gamma, meanS: 3 }
    hourly: [1, 2]
agents:
  - id: t
    count: 1.5
    skills: { x: 9 }
    shifts: [{ start: "25h", hours: 8 }]
behaviour: { rejectRate: 0.8, timeoutRate: 0.5 }
policies: [lifo]
`;
    try {
      parseScenario(bad, "yaml");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SwitchboardError);
      const fields = (err as SwitchboardError).violations.map((v) => v.field);
      for (const f of [
        "durationHours",
        "startWeekday",
        "routing",
        "streams[0].perHour",
        "streams[0].channel",
        "streams[0].handle.dist",
        "streams[0].hourly",
        "agents[0].count",
        "agents[0].skills.x",
        "agents[0].shifts[0].start",
        "behaviour",
        "policies[0]",
      ])
        expect(fields, f).toContain(f);
    }
  });

  it("loads the shipped example", async () => {
    const s = await loadScenario("sim/examples/follow-the-sun.yaml");
    expect(s.policies).toEqual(["switchboard", "fifo"]);
    expect(s.streams.map((x) => x.channel)).toEqual(["VOICE", "VOICE", "CHAT", "EMAIL", "KIOSK"]);
    expect(s.agentGroups.reduce((a, g) => a + g.count, 0)).toBe(106);
  });

  it("says which file it could not read", async () => {
    await expect(loadScenario("no/such/file.yaml")).rejects.toThrow(/no\/such\/file\.yaml/);
  });
});
