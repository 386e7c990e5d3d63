import { runKioskSimCommand } from "../adapters/index.js";
import {
  type Config,
  createLogger,
  type Logger,
  loadConfig,
  SwitchboardError,
} from "../core/index.js";
import { runSimulateCommand, runStaffCommand } from "../sim/index.js";
import { runDemoCommand } from "./demo.js";
import { helpText, version } from "./help.js";
import { startRoles } from "./roles.js";

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The whole command: parse, validate, start the roles, wait for SIGTERM/SIGINT, drain, and
 * return the exit code. Errors a user can fix print one line naming the problem (exit 2).
 */
export async function run(argv: readonly string[], env: Env): Promise<number> {
  // Offline tools with flags of their own: they run and exit, no server, no configuration.
  const io = { stdout: process.stdout, stderr: process.stderr };
  if (argv[0] === "simulate") return runSimulateCommand(argv.slice(1), io);
  if (argv[0] === "staff") return runStaffCommand(argv.slice(1), io);
  if (argv[0] === "demo") return runDemoCommand(argv.slice(1), io);
  if (argv[0] === "kiosk-sim") return runKioskSimCommand(argv.slice(1), io);
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(helpText());
    return 0;
  }
  if (argv.includes("--version") || argv.includes("-v")) {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig({ argv, env });
  } catch (err) {
    process.stderr.write(`switchboard: ${(err as Error).message}\nTry 'switchboard --help'.\n`);
    return 2;
  }
  const logger = createLogger({ level: config.logLevel });
  let running: Awaited<ReturnType<typeof startRoles>>;
  try {
    running = await startRoles(config, logger);
  } catch (err) {
    const e = SwitchboardError.from(err);
    if (
      e.code === "UNIMPLEMENTED" ||
      e.code === "INVALID_ARGUMENT" ||
      e.code === "FAILED_PRECONDITION" ||
      e.code === "UNAVAILABLE"
    ) {
      process.stderr.write(`switchboard: ${e.message}\n`);
      return 2;
    }
    logger.fatal({ err }, "start-up failed");
    return 1;
  }
  await waitForSignal(logger);
  return drain(running.stop, config.shutdownTimeoutMs, logger);
}

function waitForSignal(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, "shutting down: draining in-flight work");
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      // A second signal means "now": the operator gave up waiting for the drain.
      const force = (again: NodeJS.Signals) => {
        logger.warn({ signal: again }, "second signal: exiting without finishing the drain");
        process.exit(1);
      };
      process.once("SIGTERM", force);
      process.once("SIGINT", force);
      resolve();
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}

async function drain(
  stop: () => Promise<void>,
  timeoutMs: number,
  logger: Logger,
): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  try {
    const result = await Promise.race([stop().then(() => "done" as const), timedOut]);
    if (result === "timeout") {
      logger.warn({ timeoutMs }, "drain did not finish in time; exiting anyway");
      return 1;
    }
    logger.info("stopped cleanly");
    return 0;
  } catch (err) {
    logger.error({ err }, "error while stopping");
    return 1;
  } finally {
    clearTimeout(timer);
  }
}
