import { SwitchboardError } from "../../core/index.js";

/** Thrown when the partition's lease is gone: the store refused our fence. */
export class LeaseLostError extends SwitchboardError {
  constructor(tenant: string) {
    super("FAILED_PRECONDITION", `router lost the lease of partition ${tenant}`);
  }
}

/**
 * The store refused what this leader committed itself (a vouched confirmation): its state and
 * the store's disagree. Handled like a lost lease — stop leading, acknowledge nothing more —
 * so the next leader rebuilds from the snapshot and replays, asking the store at every step.
 */
export class StateDivergedError extends LeaseLostError {
  constructor(tenant: string, offerId: string, reason: string) {
    super(tenant);
    this.message = `store refused confirming offer ${offerId} (${reason}) that partition ${tenant} committed itself; stepping down`;
  }
}

function retryable(error: unknown): boolean {
  // UNAVAILABLE is an outage (NATS or Redis restarting); anything else is a real answer.
  return !(error instanceof SwitchboardError) || error.code === "UNAVAILABLE";
}

export interface RetryControl {
  /** True once the partition stopped leading: give up instead of retrying forever. */
  readonly cancelled: () => boolean;
  readonly maxDelayMs: number;
  readonly onRetry: (error: unknown, attempt: number) => void;
}

/**
 * Retries a store or bus call through an outage. The partition waits rather than skipping an
 * effect, so a command is applied completely or (after a lost lease) not acknowledged at all.
 */
export async function withRetry<T>(call: () => Promise<T>, control: RetryControl): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!retryable(error) || control.cancelled()) throw error;
      control.onRetry(error, attempt);
      const delayMs = Math.min(control.maxDelayMs, 50 * 2 ** Math.min(attempt, 10));
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** Runs tasks one at a time in submission order: one partition's commands, ticks, snapshots. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  get size(): number {
    return this.pending;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(task, task);
    this.tail = result.then(
      () => {
        this.pending--;
      },
      () => {
        this.pending--;
      },
    );
    return result;
  }
}
