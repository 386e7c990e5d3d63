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

/** The root logger. Components take `logger.child({ component: "…" })`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: "switchboard" },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
