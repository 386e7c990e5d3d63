/**
 * Injectable time. Library code never calls Date.now() directly so that the router, the
 * simulator and tests can run on a clock they control.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

export interface ManualClock extends Clock {
  /** Moves time forward; refuses to go backwards, which no real clock we rely on does. */
  advance(byMs: number): void;
  set(nowMs: number): void;
}

export function createManualClock(startMs = 0): ManualClock {
  let current = startMs;
  return {
    nowMs: () => current,
    advance(byMs) {
      if (byMs < 0) throw new RangeError(`clock cannot go backwards (advance by ${byMs} ms)`);
      current += byMs;
    },
    set(nowMs) {
      if (nowMs < current)
        throw new RangeError(`clock cannot go backwards (${nowMs} < ${current})`);
      current = nowMs;
    },
  };
}
