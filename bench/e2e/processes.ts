import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { findFreePort, waitFor } from "../../test/harness/index.js";

const cliMain = fileURLToPath(new URL("../../cli/main.ts", import.meta.url));

export interface Role {
  readonly child: ChildProcess;
  readonly grpcPort: number;
  stop(): Promise<void>;
}

/**
 * Runs one `switchboard <role>` from the sources, with this process's loader flags (tsx),
 * so the bench needs no build. Separate processes, as deployed: the load generator and the
 * agent desktops here do not steal the gateway's or the router's event loop.
 */
export async function startRole(
  role: "gateway" | "router",
  natsUrl: string,
  redisUrl: string,
): Promise<Role> {
  const grpcPort = await findFreePort();
  const httpPort = await findFreePort();
  // BENCH_E2E_CPU_PROF=<dir>: each role writes a V8 CPU profile there when it stops.
  const profileDir = process.env.BENCH_E2E_CPU_PROF;
  const args = [
    ...process.execArgv,
    ...(profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : []),
    cliMain,
    role,
    ...["--host", "127.0.0.1", "--grpc-port", String(grpcPort), "--http-port", String(httpPort)],
    ...["--nats-url", natsUrl, "--redis-url", redisUrl, "--log-level", "warn"],
  ];
  const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" };
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "inherit", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // A bench that dies must not leave its roles running.
  const orphanGuard = () => child.kill("SIGKILL");
  process.once("exit", orphanGuard);
  void exited.then(() => process.off("exit", orphanGuard));
  await waitFor(
    async () => {
      const res = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
      if (!res.ok) throw new Error(`healthz ${res.status}`);
    },
    {
      timeoutMs: 30_000,
      what: `switchboard ${role} /healthz`,
      giveUp: () => (child.exitCode === null ? undefined : `exited ${child.exitCode}`),
    },
  );
  return {
    child,
    grpcPort,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        // A profile is written only on a clean exit: drain first, and kill if it hangs.
        child.kill(profileDir ? "SIGTERM" : "SIGKILL");
        const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
