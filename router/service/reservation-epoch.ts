import type { ReservationStore } from "../../core/index.js";

export type ReservationOp = Parameters<ReservationStore["apply"]>[0][number];
export type ReservationOpResult = Awaited<ReturnType<ReservationStore["apply"]>>[number];

/** Runs on the ordered path once the store answered the op (refusal handling, step-down). */
export type OnResult = (result: ReservationOpResult) => void | Promise<void>;

interface Pending {
  readonly op: ReservationOp;
  readonly onResult: OnResult | undefined;
  resolve(result: ReservationOpResult): void;
  reject(error: unknown): void;
}

/**
 * The reservation writes of consecutive engine steps, committed together: one store call (one
 * atomic Lua script on Redis) per epoch instead of a round trip per offer and per accept on the
 * ordered path, which capped a partition at a few hundred contacts a second.
 *
 * The engine goes on deciding while the writes wait here; nobody outside hears of a decision
 * before the store committed it (offers, OFFERED events and withdrawals wait on `add`'s
 * promise). `settle` runs on the ordered path before the epoch's commands are acknowledged:
 * it commits the writes in the engine's order, then hands each answer to its `onResult` —
 * a refused offer is rejected back into the engine there, and whatever that re-routes joins
 * the next round of the same settle. So when the ordered path leaves an epoch, the store,
 * the engine and the I/O issued agree, and every command's effects are issued before its ack.
 */
export class ReservationEpoch {
  private pending: Pending[] = [];

  constructor(
    /** The store call, retried through outages (ctx.io around reservations.apply). */
    private readonly commit: (ops: readonly ReservationOp[]) => Promise<ReservationOpResult[]>,
  ) {}

  /** Writes waiting for the next settle. */
  get size(): number {
    return this.pending.length;
  }

  /**
   * Queues a write; the promise settles with the store's answer at the next `settle` (it
   * rejects if the store call failed for good). `onResult` runs on the ordered path before it.
   */
  add(op: ReservationOp, onResult?: OnResult): Promise<ReservationOpResult> {
    let resolve: (result: ReservationOpResult) => void = () => {};
    let reject: (error: unknown) => void = () => {};
    const promise = new Promise<ReservationOpResult>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Reported through settle() and the epoch's commands; nobody has to listen to this one.
    promise.catch(() => {});
    this.pending.push({ op, onResult, resolve, reject });
    return promise;
  }

  /**
   * Commits everything queued (and what the answers' handlers queue meanwhile), in order.
   * Throws the first failure: the store call's, or a handler's (LeaseLostError, say).
   */
  async settle(): Promise<void> {
    while (this.pending.length > 0) {
      const round = this.pending;
      this.pending = [];
      let results: ReservationOpResult[];
      try {
        results = await this.commit(round.map((p) => p.op));
      } catch (error) {
        this.fail(round, error);
        throw error;
      }
      round.forEach((p, i) => {
        const result = results[i];
        if (result === undefined) p.reject(new Error("reservation batch answered short"));
        else p.resolve(result);
      });
      for (const [i, p] of round.entries()) {
        const result = results[i];
        if (result === undefined || p.onResult === undefined) continue;
        try {
          await p.onResult(result);
        } catch (error) {
          // What was queued after a failed answer is not committed any more: the partition
          // stops leading (or logs the command as partly applied) either way.
          this.fail(this.pending.splice(0), error);
          throw error;
        }
      }
    }
  }

  /** Queues `op`, commits it with everything before it, and returns its answer. */
  async now(op: ReservationOp, onResult?: OnResult): Promise<ReservationOpResult> {
    const answer = this.add(op, onResult);
    await this.settle();
    return answer;
  }

  private fail(pending: Pending[], error: unknown): void {
    for (const p of pending) p.reject(error);
  }
}
