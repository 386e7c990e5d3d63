/**
 * The I/O of a partition's effects, issued without holding up the next command. The engine
 * still sees one command at a time; reservation writes go to the epoch (ReservationEpoch),
 * committed together on the ordered path. Everything else — events, records, history, offers — is issued at once and collected in the
 * current command's batch, which the command's handler awaits before its message is acked.
 *
 * Calls for one key (a contact's events, a contact's offer messages, an agent's state) run one
 * after another, so a retried publish can never overtake a later one: a withdrawal is stored
 * before the re-offer of its contact, and event sequences arrive in order. A key can also just
 * collect tasks to be waited for (`join`, `tail`): an offer waits for the withdrawals issued
 * before it to the same agent.
 */
export class IoPipeline {
  private batch: Promise<unknown>[] = [];
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly inFlight = new Set<Promise<boolean>>();

  /** Tracks `promise` in the current batch and until it settles. */
  track<T>(promise: Promise<T>): Promise<T> {
    this.batch.push(promise);
    // Settled-only copy: failures are reported through the batch; this only says ok or not.
    const settled = promise.then(
      () => true,
      () => false,
    );
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
    return promise;
  }

  /** Runs `task` once the previous task of `key` settled; tracked in the current batch. */
  chain(key: string, task: () => Promise<unknown>): Promise<unknown> {
    const previous = this.chains.get(key);
    const run = previous === undefined ? task() : previous.then(task);
    this.setTail(key, settledOf(run));
    return this.track(run);
  }

  /**
   * Makes `key`'s tail wait for `promise` too, without ordering it behind the key's earlier
   * tasks: for a key whose tasks need not run in turn, only be waited for (`tail`).
   */
  join(key: string, promise: Promise<unknown>): void {
    const previous = this.chains.get(key);
    const settled = settledOf(promise);
    this.setTail(key, previous === undefined ? settled : Promise.all([previous, settled]));
  }

  /** Settles once every task of `key` issued until now has settled; undefined if none is left. */
  tail(key: string): Promise<unknown> | undefined {
    return this.chains.get(key);
  }

  /** Makes `tail` the key's last task, forgotten once it settles unless another came after. */
  private setTail(key: string, tail: Promise<unknown>): void {
    this.chains.set(key, tail);
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
  }

  /** Starts a new batch and returns the previous one as a single promise (first failure wins). */
  takeBatch(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    if (batch.length === 0) return Promise.resolve();
    return Promise.all(batch).then(() => undefined);
  }

  /** Resolves once everything issued until now has settled: true if all of it succeeded. */
  async settled(): Promise<boolean> {
    const outcomes = await Promise.all([...this.inFlight]);
    return outcomes.every((ok) => ok);
  }
}

/** Resolves (never rejects) once `promise` settled either way. */
function settledOf(promise: Promise<unknown>): Promise<undefined> {
  return promise.then(
    () => undefined,
    () => undefined,
  );
}
