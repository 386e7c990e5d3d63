import { findFreePort, waitFor } from "../harness/index.js";
import { type RunningCli, startCli } from "./cli-process.js";

/**
 * Switchboard as an operator runs it: the built CLI in separate processes, either one
 * `switchboard all` on the embedded backends, or `switchboard gateway` plus any number of
 * `switchboard router` processes on one NATS and one Redis. Open mode (no tokens), so every
 * caller is admin of tenant "default", the partition the routers serve by default.
 */
export interface Backends {
  readonly natsUrl: string;
  readonly redisUrl: string;
}

export interface Cluster {
  /** host:port of the gRPC edge. */
  readonly address: string;
  readonly gateway: RunningCli;
  /** Every router process started (killed ones stay listed). */
  readonly routers: RunningCli[];
  startRouter(): Promise<RunningCli>;
  /** SIGKILL (`kill -9`), and waits for the exit. */
  kill(process: RunningCli): Promise<void>;
  /** A live router process that took the partition over and has not stepped down since. */
  leader(): RunningCli | undefined;
  /** Ends every process still running; safe to call twice. */
  stop(): Promise<void>;
}

const TAKEOVER = '"msg":"taking over partition"';
const LEASE_LOST = '"msg":"lease lost; stepping down to standby"';
const count = (p: RunningCli, line: string) => p.output().split(line).length - 1;

function backendArgs(backends: Backends | undefined): string[] {
  return backends === undefined
    ? []
    : ["--nats-url", backends.natsUrl, "--redis-url", backends.redisUrl];
}

async function startRole(role: string, backends: Backends | undefined) {
  const grpcPort = await findFreePort();
  const httpPort = await findFreePort();
  const args = [
    role,
    ...["--host", "127.0.0.1", "--grpc-port", String(grpcPort), "--http-port", String(httpPort)],
    ...["--log-level", "info", "--shutdown-timeout-ms", "2000"],
    ...backendArgs(backends),
  ];
  return { cli: await startCli(args, httpPort), grpcPort };
}

/** `switchboard all` (backends undefined: embedded), or a gateway plus `routers` routers. */
export async function startCluster(options: {
  backends?: Backends;
  split: boolean;
  routers?: number;
}): Promise<Cluster> {
  const started: RunningCli[] = [];
  const routers: RunningCli[] = [];
  const stop = async () => {
    await Promise.all(started.map((p) => p.stop("SIGKILL")));
  };
  const startRouter = async () => {
    const { cli } = await startRole("router", options.backends);
    started.push(cli);
    routers.push(cli);
    return cli;
  };
  try {
    if (options.split) {
      // Routers in parallel, so "two routers started for the same partition" really race.
      await Promise.all(Array.from({ length: options.routers ?? 1 }, () => startRouter()));
    }
    const gw = await startRole(options.split ? "gateway" : "all", options.backends);
    started.push(gw.cli);
    if (!options.split) routers.push(gw.cli);
    return {
      address: `127.0.0.1:${gw.grpcPort}`,
      gateway: gw.cli,
      routers,
      startRouter,
      kill: async (p) => {
        await p.stop("SIGKILL");
      },
      leader: () =>
        routers.find(
          (p) =>
            p.child.exitCode === null &&
            p.child.signalCode === null &&
            takeovers(p) > count(p, LEASE_LOST),
        ),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** How many times a process logged taking the partition over. */
export function takeovers(p: RunningCli): number {
  return count(p, TAKEOVER);
}

/** Waits until some live router leads the partition. */
export async function waitForLeader(cluster: Cluster, timeoutMs = 20_000): Promise<RunningCli> {
  return waitFor(
    async () => {
      const leader = cluster.leader();
      if (leader === undefined) throw new Error("no leader yet");
      return leader;
    },
    { timeoutMs, intervalMs: 50, what: "a router to take the partition over" },
  );
}
