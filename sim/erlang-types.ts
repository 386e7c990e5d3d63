/** Inputs and outputs shared by the closed-form queue models (Erlang C, Erlang A). */

export interface QueueModelInput {
  /** Poisson arrival rate. */
  readonly arrivalsPerHour: number;
  /** Mean handle time (exponential). */
  readonly ahtS: number;
  readonly agents: number;
  /** Service level = share answered within this many seconds; default 20. */
  readonly slThresholdS?: number;
  /** Mean of exponential patience; absent or Infinity = nobody abandons (Erlang C). */
  readonly patienceS?: number;
}

/** Steady-state performance of one queue. Shares are 0..1, times in seconds. */
export interface QueueMetrics {
  readonly model: "erlang-c" | "erlang-a";
  readonly agents: number;
  /** Offered load a = λ × AHT, in Erlangs. */
  readonly loadErlangs: number;
  /** Busy share of agents: served load ÷ agents. */
  readonly occupancy: number;
  /** P(W > 0): the contact finds every agent busy. */
  readonly pWait: number;
  /** Mean wait of answered contacts. Infinity when the queue is unstable. */
  readonly asaS: number;
  /** Mean wait over all contacts, answered or abandoned. */
  readonly meanWaitS: number;
  /** Share of all arrivals answered within `slThresholdS`. */
  readonly serviceLevel: number;
  readonly slThresholdS: number;
  readonly abandonRate: number;
}

export function checkModelInput(input: QueueModelInput): void {
  const { arrivalsPerHour, ahtS, agents } = input;
  if (!(Number.isFinite(arrivalsPerHour) && arrivalsPerHour >= 0))
    throw new RangeError(`arrivalsPerHour must be a finite number >= 0, got ${arrivalsPerHour}`);
  if (!(Number.isFinite(ahtS) && ahtS > 0))
    throw new RangeError(`ahtS must be a finite number > 0, got ${ahtS}`);
  if (!(Number.isInteger(agents) && agents >= 1))
    throw new RangeError(`agents must be an integer >= 1, got ${agents}`);
  const t = input.slThresholdS ?? 20;
  if (!(Number.isFinite(t) && t >= 0))
    throw new RangeError(`slThresholdS must be a finite number >= 0, got ${t}`);
  const p = input.patienceS;
  if (p !== undefined && !(p > 0)) throw new RangeError(`patienceS must be > 0, got ${p}`);
}
