/**
 * Runs work items with per-partition ordering and bounded concurrency: items with the same key
 * run one after another in push order, different keys run side by side, at most `concurrency`
 * at a time. Ready partitions take turns (FIFO), so one busy key cannot starve the others.
 * Awaiting each message in turn cannot keep up with thousands of messages per second; this can,
 * without giving up the order that matters (per contact, per agent, per tenant).
 */
export interface PartitionDispatcher<T> {
  /** Queues an item; false once draining started (the caller must release the item). */
  push(item: T): boolean;
  /**
   * Stops starting items, waits for the running ones and returns the ones never started, in
   * push order per partition.
   */
  drain(): Promise<T[]>;
  readonly running: number;
  readonly queued: number;
}

export interface PartitionDispatcherOptions<T> {
  readonly concurrency: number;
  readonly keyOf: (item: T) => string;
  /** Must not reject; a rejection is passed to `onError` and the partition goes on. */
  readonly run: (item: T) => Promise<void>;
  readonly onError: (error: unknown, item: T) => void;
}

export function createPartitionDispatcher<T>(
  options: PartitionDispatcherOptions<T>,
): PartitionDispatcher<T> {
  const queues = new Map<string, T[]>();
  const busy = new Set<string>();
  // Keys with waiting items and nothing running, in the order they became ready.
  let ready: string[] = [];
  let queued = 0;
  let draining = false;
  let idle: (() => void)[] = [];

  const pump = (): void => {
    while (!draining && busy.size < options.concurrency && ready.length > 0) {
      const key = ready.shift() as string;
      start(key);
    }
  };

  const start = (key: string): void => {
    const queue = queues.get(key);
    const item = queue?.shift();
    if (queue === undefined || item === undefined) return;
    queued--;
    busy.add(key);
    const finish = (): void => {
      busy.delete(key);
      if (queue.length > 0) ready.push(key);
      else queues.delete(key);
      pump();
      if (busy.size === 0) {
        for (const resolve of idle) resolve();
        idle = [];
      }
    };
    let running: Promise<void>;
    try {
      running = options.run(item);
    } catch (error) {
      running = Promise.reject(error);
    }
    void running.catch((error: unknown) => options.onError(error, item)).finally(finish);
  };

  return {
    push(item) {
      if (draining) return false;
      const key = options.keyOf(item);
      let queue = queues.get(key);
      if (queue === undefined) {
        queue = [];
        queues.set(key, queue);
      }
      queue.push(item);
      queued++;
      if (!busy.has(key) && queue.length === 1) ready.push(key);
      pump();
      return true;
    },
    async drain() {
      draining = true;
      if (busy.size > 0) await new Promise<void>((resolve) => idle.push(resolve));
      const left = [...queues.values()].flat();
      queues.clear();
      ready = [];
      queued = 0;
      return left;
    },
    get running() {
      return busy.size;
    },
    get queued() {
      return queued;
    },
  };
}
