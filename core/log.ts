import { writeSync } from "node:fs";
import { type DestinationStream, type LevelWithSilent, type Logger, pino } from "pino";

export type { Logger };

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = LevelWithSilent;

/**
 * Customer PII that must never reach a log line, wherever it appears in a logged object:
 * identifiers from every channel and free text the customer wrote.
 */
const PII_KEYS = [
  "phone",
  "email",
  "webSession",
  "kioskCard",
  "kioskAccount",
  "identifiers",
  "subject",
  "summary",
  "body",
  "text",
  "token",
  "authorization",
];
export const REDACTED_PATHS = [
  ...PII_KEYS,
  ...PII_KEYS.map((k) => `*.${k}`),
  ...PII_KEYS.map((k) => `*.*.${k}`),
];

export interface LoggerOptions {
  /** Minimum level written; default "info". */
  readonly level?: LogLevel;
  /** Where lines go; default stdout. Tests pass a stream to read them back. */
  readonly destination?: DestinationStream;
}

/**
 * Synchronous writes to stdout that can never hang or crash the process: when whoever reads
 * our stdout goes away (EPIPE: a log shipper restarted, a parent process died), lines are
 * dropped from then on instead of retried forever — a drain on SIGTERM must still finish.
 * A full non-blocking pipe (EAGAIN) is retried briefly, then the line is dropped.
 */
export function createStdoutDestination(fd = 1): DestinationStream {
  let broken = false;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  return {
    write(line: string) {
      if (broken) return;
      let rest = Buffer.from(line);
      for (let attempt = 0; rest.length > 0 && attempt < 50; ) {
        try {
          rest = rest.subarray(writeSync(fd, rest));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== "EAGAIN") {
            broken = true;
            return;
          }
          attempt++;
          Atomics.wait(pause, 0, 0, 2);
        }
      }
    },
  };
}

/** The root logger. Components take `logger.child({ component: "…" })`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: "switchboard" },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? createStdoutDestination(),
  );
}
