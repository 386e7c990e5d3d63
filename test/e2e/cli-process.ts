import { type ChildProcessWithoutNullStreams, execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { findFreePort, waitFor } from "../harness/index.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = `${root}dist/cli/main.js`;

/** Builds dist/ exactly as `npm start` and the Docker image do. */
export async function buildDist(): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    [`${root}node_modules/typescript/bin/tsc`, "-p", "tsconfig.build.json"],
    {
      cwd: root,
    },
  );
}

/** A clean environment: the machine's NATS_URL/REDIS_URL must not leak into the CLI under test. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" };
  return { ...env, ...extra };
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI to completion (for --help, bad flags, …). */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const smtp = { SWITCHBOARD_SMTP_PORT: String(await findFreePort()) };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: cleanEnv({ ...smtp, ...env }), timeout: 20_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === "number" ? err.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export interface RunningCli {
  readonly child: ChildProcessWithoutNullStreams;
  /** Everything written to stdout so far (JSON log lines). */
  output(): string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts a long-running CLI and waits until its HTTP /healthz answers. */
export async function startCli(
  args: string[],
  httpPort: number,
  env: Record<string, string> = {},
): Promise<RunningCli> {
  // Role all also listens for SMTP: a free port, so tests running side by side never clash.
  const smtp = { SWITCHBOARD_SMTP_PORT: String(await findFreePort()) };
  const child = spawn(process.execPath, [bin, ...args], { env: cleanEnv({ ...smtp, ...env }) });
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  await waitFor(
    async () => {
      const res = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
      if (!res.ok) throw new Error(`healthz ${res.status}`);
    },
    {
      timeoutMs: 15_000,
      what: "switchboard /healthz",
      giveUp: () => (child.exitCode === null ? undefined : `exited: ${out}`),
    },
  );
  return {
    child,
    output: () => out,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
