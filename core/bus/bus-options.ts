import type { Logger } from "../log.js";
import type { DeadLetter } from "./bus.js";

/** Options both implementations take. */
export interface BusOptions {
  readonly logger: Logger;
  /** Prefix of every stream name, e.g. "SB_" → SB_CONTACTS. [A-Za-z0-9_-]. Default "SB_". */
  readonly streamPrefix?: string;
  /** First subject token. Default "sb"; tests use a unique one per bus. */
  readonly subjectRoot?: string;
  /** How long a `msgId` is remembered for dedupe. Default 120 000 (2 min). */
  readonly duplicateWindowMs?: number;
  /** Called after a message was stored in the dead-letter stream and terminated. */
  readonly onDeadLetter?: (deadLetter: DeadLetter) => void;
  /** Counted per consumer, e.g. a prom-client `Counter<"consumer">` from your own registry. */
  readonly deadLetterCounter?: DeadLetterCounter;
}

/** The slice of a prom-client Counter the bus uses, so no global registry is involved. */
export interface DeadLetterCounter {
  inc(labels: { consumer: string }, value?: number): void;
}

export interface NormalizedBusOptions {
  readonly logger: Logger;
  readonly streamPrefix: string;
  readonly subjectRoot: string;
  readonly duplicateWindowMs: number;
  readonly onDeadLetter: ((deadLetter: DeadLetter) => void) | undefined;
  readonly deadLetterCounter: DeadLetterCounter | undefined;
}

export const busDefaults = {
  streamPrefix: "SB_",
  subjectRoot: "sb",
  duplicateWindowMs: 120_000,
} as const;

export function normalizeBusOptions(options: BusOptions): NormalizedBusOptions {
  return {
    logger: options.logger,
    streamPrefix: options.streamPrefix ?? busDefaults.streamPrefix,
    subjectRoot: options.subjectRoot ?? busDefaults.subjectRoot,
    duplicateWindowMs: options.duplicateWindowMs ?? busDefaults.duplicateWindowMs,
    onDeadLetter: options.onDeadLetter,
    deadLetterCounter: options.deadLetterCounter,
  };
}
