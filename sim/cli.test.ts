import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { runSimulateCommand, runStaffCommand } from "./index.js";

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  return { io: { stdout, stderr }, out: () => out, err: () => err };
}

function lastJson(text: string): Record<string, unknown> {
  const lines = text.trim().split("\n");
  return JSON.parse(lines[lines.length - 1] as string) as Record<string, unknown>;
}

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe("staff", () => {
  it("prints the fewest agents and the predicted service level as JSON", async () => {
    const c = capture();
    const code = await runStaffCommand(
      [
        "--arrivals-per-hour",
        "1000",
        "--aht-s",
        "300",
        "--sl",
        "0.8",
        "--sl-threshold-s",
        "20",
        "--json",
      ],
      c.io,
    );
    expect(code).toBe(0);
    const out = lastJson(c.out());
    expect(out).toMatchObject({ agents: 91, model: "erlang-c" });
    expect(out.serviceLevel as number).toBeGreaterThanOrEqual(0.8);
  });

  it("uses Erlang A with --patience-s and prints a readable line without --json", async () => {
    const c = capture();
    expect(
      await runStaffCommand(
        ["--arrivals-per-hour", "1000", "--aht-s", "300", "--sl", "0.8", "--patience-s", "120"],
        c.io,
      ),
    ).toBe(0);
    expect(c.out()).toMatch(/^\d+ agents \(erlang-a/);
  });

  it("names a bad or unknown flag and exits 2", async () => {
    const unknown = capture();
    expect(await runStaffCommand(["--arrivals-per-hour", "10", "--bogus"], unknown.io)).toBe(2);
    expect(unknown.err()).toContain("--bogus");
    const bad = capture();
    expect(
      await runStaffCommand(["--arrivals-per-hour", "10", "--aht-s", "60", "--sl", "1.5"], bad.io),
    ).toBe(2);
    expect(bad.err()).toContain("--sl");
    const missing = capture();
    expect(await runStaffCommand(["--aht-s", "60", "--sl", "0.8"], missing.io)).toBe(2);
    expect(missing.err()).toContain("--arrivals-per-hour");
  });
});

describe("simulate", () => {
  it("quick form: last line is one JSON object with the KPIs and the Erlang prediction", async () => {
    const c = capture();
    const code = await runSimulateCommand(
      [
        "--arrivals-per-hour",
        "100",
        "--aht-s",
        "180",
        "--agents",
        "6",
        "--patience-s",
        "60",
        "--hours",
        "40",
        "--seed",
        "1",
        "--json",
      ],
      c.io,
    );
    expect(code).toBe(0);
    const out = lastJson(c.out());
    for (const k of ["serviceLevel", "asaS", "pWait", "abandonRate", "occupancy", "contacts"]) {
      expect(typeof out[k], k).toBe("number");
    }
    expect(out.contacts as number).toBeGreaterThan(3000);
    expect(out.erlang).toMatchObject({ model: "erlang-a" });
    expect(c.err()).toBe(""); // not a TTY: no progress bar
  });

  it("rejects bad flags, naming them, with exit code 2", async () => {
    for (const [argv, flag] of [
      [["--agents", "six", "--arrivals-per-hour", "1", "--aht-s", "1", "--hours", "1"], "--agents"],
      [["--hours", "1", "--what"], "--what"],
      [["--scenario", "x.yaml", "--agents", "3"], "--agents"],
      [["--arrivals-per-hour", "1", "--aht-s", "1", "--agents", "1"], "--hours"],
      [
        [
          "--arrivals-per-hour",
          "1",
          "--aht-s",
          "1",
          "--agents",
          "1",
          "--hours",
          "1",
          "--policy",
          "lifo",
        ],
        "--policy",
      ],
    ] as const) {
      const c = capture();
      expect(await runSimulateCommand(argv, c.io), argv.join(" ")).toBe(2);
      expect(c.err()).toContain(flag);
    }
  });

  it("lists every scenario violation with its field", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sim-cli-"));
    dirs.push(dir);
    const file = join(dir, "bad.yaml");
    await writeFile(file, "durationHours: -1\nstreams:\n  - id: a\n    channel: FAX\nagents: []\n");
    const c = capture();
    expect(await runSimulateCommand(["--scenario", file], c.io)).toBe(2);
    for (const field of [
      "durationHours",
      "streams[0].channel",
      "streams[0].perHour",
      "streams[0].handle",
      "agents",
    ])
      expect(c.err()).toContain(field);
  });

  it("runs the example scenario under both policies and writes JSON, CSV and HTML", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sim-cli-"));
    dirs.push(dir);
    const c = capture();
    const code = await runSimulateCommand(
      [
        "--scenario",
        "sim/examples/follow-the-sun.yaml",
        "--hours",
        "30",
        "--warmup-hours",
        "1",
        "--json",
        "--out",
        dir,
      ],
      c.io,
    );
    expect(code, c.err()).toBe(0);
    const out = lastJson(c.out()) as {
      policies: { policy: string; overall: { contacts: number } }[];
    };
    expect(out.policies.map((p) => p.policy)).toEqual(["switchboard", "fifo"]);
    expect(out.policies[0]?.overall.contacts).toBe(out.policies[1]?.overall.contacts);
    const html = await readFile(join(dir, "report.html"), "utf8");
    expect(html).toContain("<svg");
    expect(html).not.toContain("<script");
    expect(html.replaceAll("http://www.w3.org/2000/svg", "")).not.toMatch(/https?:\/\//);
    const csv = await readFile(join(dir, "kpis.csv"), "utf8");
    expect(csv.split("\n")[0]).toContain("serviceLevel");
    expect(csv).toContain("fifo,queue,billing");
    const json = JSON.parse(await readFile(join(dir, "result.json"), "utf8")) as {
      policies: { intervals: unknown[] }[];
    };
    expect(json.policies[0]?.intervals.length).toBe(29);
  });
});
