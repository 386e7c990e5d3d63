import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findFreePort, loopbackHost } from "./free-port.js";
import { HarnessError } from "./harness-error.js";
import { guardChild, guardDir, releaseChild, releaseDir } from "./orphan-guard.js";
import { type ServerHandle, type ServiceSpec, serverUrl } from "./server-handle.js";
import { waitFor } from "./wait-for.js";

const outputLinesKept = 40;
// A free port can be taken by a parallel test file between our probe and the server's bind.
const maxPortAttempts = 3;
const maxProbeTimeoutMs = 1_000;

/** Spawns `spec.binary` on a free port with a fresh temporary data directory. */
export async function startProcessServer(spec: ServiceSpec): Promise<ServerHandle> {
  const dataDir = await mkdtemp(join(tmpdir(), `switchboard-${spec.name}-`));
  guardDir(dataDir);
  for (let attempt = 1; ; attempt++) {
    const server = new ProcessServer(spec, await findFreePort(), dataDir);
    try {
      await server.start();
      return server;
    } catch (error) {
      if (server.lostPortRace() && attempt < maxPortAttempts) continue;
      await server.stop();
      throw error;
    }
  }
}

class ProcessServer implements ServerHandle {
  readonly backend = "process";
  readonly host = loopbackHost;
  readonly url: string;
  readonly #spec: ServiceSpec;
  #child: ChildProcess | undefined;
  #exited: Promise<void> | undefined;
  #output: string[] = [];
  #stopping: Promise<void> | undefined;

  constructor(
    spec: ServiceSpec,
    readonly port: number,
    readonly dataDir: string,
  ) {
    this.#spec = spec;
    this.url = serverUrl(spec.urlScheme, this.host, port);
  }

  get pid(): number | undefined {
    const child = this.#child;
    return child !== undefined && isRunning(child) ? child.pid : undefined;
  }

  /** Spawns the server and resolves once it answers its probe; kills it on failure. */
  async start(): Promise<void> {
    const spec = this.#spec;
    const child = spawn(spec.binary, spec.binaryArgs(this.port, this.dataDir), {
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.#child = child;
    this.#output = [];
    guardChild(child);
    let spawnError: Error | undefined;
    this.#exited = new Promise<void>((resolve) => {
      child.once("error", (error) => {
        spawnError = error;
        resolve();
      });
      child.once("exit", () => resolve());
    }).finally(() => releaseChild(child));
    // Drained so a chatty server never blocks on a full pipe; kept for failure messages.
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => this.#remember(chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => this.#remember(chunk));

    const probeTimeoutMs = Math.min(maxProbeTimeoutMs, spec.startTimeoutMs);
    try {
      await waitFor(() => spec.probe(this.host, this.port, probeTimeoutMs), {
        timeoutMs: spec.startTimeoutMs,
        what: `${spec.binary} at ${this.url}`,
        giveUp: () => {
          if (spawnError !== undefined) return `spawn failed: ${spawnError.message}`;
          if (!isRunning(child)) return `process exited (${child.signalCode ?? child.exitCode})`;
          return undefined;
        },
      });
    } catch (error) {
      await this.#terminate("SIGKILL");
      const message = error instanceof Error ? error.message : String(error);
      const output = this.#output.join("\n");
      throw new HarnessError("start-failed", `${message}\n--- server output ---\n${output}`, {
        cause: error,
      });
    }
  }

  /** True when the last start failed because another process took the port first. */
  lostPortRace(): boolean {
    return this.#output.some((line) => /address already in use/i.test(line));
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stopAndRemoveData();
    return this.#stopping;
  }

  async restart(): Promise<void> {
    this.#assertNotStopped("restart");
    await this.#terminate("SIGTERM");
    await this.start();
  }

  async kill(): Promise<void> {
    this.#assertNotStopped("kill");
    await this.#terminate("SIGKILL");
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  async #stopAndRemoveData(): Promise<void> {
    await this.#terminate("SIGTERM");
    await rm(this.dataDir, { recursive: true, force: true });
    releaseDir(this.dataDir);
  }

  /** SIGTERM escalates to SIGKILL after `stopTimeoutMs`; resolves once the process is reaped. */
  async #terminate(signal: "SIGTERM" | "SIGKILL"): Promise<void> {
    const child = this.#child;
    const exited = this.#exited;
    if (child === undefined || exited === undefined) return;
    let escalation: NodeJS.Timeout | undefined;
    if (isRunning(child)) {
      child.kill(signal);
      if (signal === "SIGTERM") {
        escalation = setTimeout(() => child.kill("SIGKILL"), this.#spec.stopTimeoutMs);
      }
    }
    try {
      await exited;
    } finally {
      clearTimeout(escalation);
    }
    this.#child = undefined;
    this.#exited = undefined;
  }

  #assertNotStopped(operation: string): void {
    if (this.#stopping !== undefined) {
      throw new HarnessError("stopped", `cannot ${operation} ${this.url}: it was stopped`);
    }
  }

  #remember(chunk: string): void {
    this.#output.push(...chunk.split("\n").filter((line) => line !== ""));
    if (this.#output.length > outputLinesKept)
      this.#output.splice(0, this.#output.length - outputLinesKept);
  }
}

function isRunning(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}
