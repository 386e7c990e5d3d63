/**
 * The staffing inverse: the fewest agents whose predicted performance meets every target.
 * Service level, ASA and abandonment all improve monotonically with agents in Erlang C and
 * Erlang A, so an exponential then binary search needs O(log n) model evaluations.
 */
import { erlangA } from "./erlang-a.js";
import type { QueueMetrics } from "./erlang-types.js";

export interface StaffingTarget {
  readonly arrivalsPerHour: number;
  readonly ahtS: number;
  /** Share answered within `slThresholdS`, 0..1. */
  readonly serviceLevel: number;
  /** Default 20. */
  readonly slThresholdS?: number;
  /** Mean exponential patience; absent = Erlang C. */
  readonly patienceS?: number;
  readonly maxAsaS?: number;
  readonly maxAbandonRate?: number;
  /** Give up above this many agents; default 1 000 000. */
  readonly maxAgents?: number;
}

export interface StaffingResult {
  readonly agents: number;
  readonly metrics: QueueMetrics;
}

export function staffFor(target: StaffingTarget): StaffingResult {
  if (!(target.serviceLevel >= 0 && target.serviceLevel < 1)) {
    throw new RangeError(`serviceLevel must be in [0, 1), got ${target.serviceLevel}`);
  }
  const maxAgents = target.maxAgents ?? 1_000_000;
  const evaluate = (agents: number): QueueMetrics =>
    erlangA({
      arrivalsPerHour: target.arrivalsPerHour,
      ahtS: target.ahtS,
      agents,
      slThresholdS: target.slThresholdS ?? 20,
      ...(target.patienceS === undefined ? {} : { patienceS: target.patienceS }),
    });
  const meets = (m: QueueMetrics) =>
    m.serviceLevel >= target.serviceLevel &&
    (target.maxAsaS === undefined || m.asaS <= target.maxAsaS) &&
    (target.maxAbandonRate === undefined || m.abandonRate <= target.maxAbandonRate);

  const load = (target.arrivalsPerHour / 3600) * target.ahtS;
  const infinitePatience = target.patienceS === undefined || !Number.isFinite(target.patienceS);
  // Erlang C is only stable above the load; Erlang A may meet a target below it.
  let lo = infinitePatience ? Math.max(1, Math.floor(load) + 1) : 1;
  let m = evaluate(lo);
  if (meets(m)) return { agents: lo, metrics: m };
  let step = Math.max(1, Math.ceil(Math.sqrt(Math.max(load, 1))));
  let hi = lo + step;
  for (;;) {
    if (hi > maxAgents)
      throw new RangeError(`no staffing up to ${maxAgents} agents meets the target`);
    m = evaluate(hi);
    if (meets(m)) break;
    lo = hi;
    step *= 2;
    hi = lo + step;
  }
  let best = m;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const mm = evaluate(mid);
    if (meets(mm)) {
      hi = mid;
      best = mm;
    } else lo = mid;
  }
  return { agents: hi, metrics: best };
}
