/**
 * Erlang B and Erlang C (M/M/n) in closed form.
 *
 * Erlang B through the Poisson tail: Σ_{k≤n} aᵏ/k! = eᵃ·Q(n+1, a), so
 * ln B(n, a) = n·ln a − a − ln n! − ln Q(n+1, a) — O(√n), no factorials, finite at any n.
 * Erlang C from B: C = B / (1 − ρ(1 − B)), ρ = a/n; ASA = C/(nμ − λ);
 * P(W ≤ t) = 1 − C·e^{−(nμ−λ)t} (e.g. Gans, Koole & Mandelbaum 2003, "Telephone call centers:
 * tutorial, review, and research prospects", §4.1).
 */

import { checkModelInput, type QueueMetrics, type QueueModelInput } from "./erlang-types.js";
import { lnGamma, lnIncompleteGamma } from "./gamma.js";

/** ln of the Erlang B blocking probability for `agents` servers and `loadErlangs` offered. */
export function lnErlangB(agents: number, loadErlangs: number): number {
  if (loadErlangs <= 0) return Number.NEGATIVE_INFINITY;
  const { lnQ } = lnIncompleteGamma(agents + 1, loadErlangs);
  return agents * Math.log(loadErlangs) - loadErlangs - lnGamma(agents + 1) - lnQ;
}

export function erlangB(agents: number, loadErlangs: number): number {
  return Math.exp(lnErlangB(agents, loadErlangs));
}

/** Probability of waiting in M/M/n; 1 when the load reaches the number of agents. */
export function erlangCProbability(agents: number, loadErlangs: number): number {
  if (loadErlangs >= agents) return 1;
  const b = erlangB(agents, loadErlangs);
  const rho = loadErlangs / agents;
  return b / (1 - rho * (1 - b));
}

/** M/M/n with infinite patience. `patienceS` in the input is ignored. */
export function erlangC(input: QueueModelInput): QueueMetrics {
  checkModelInput(input);
  const { agents, ahtS } = input;
  const slThresholdS = input.slThresholdS ?? 20;
  const lambdaPerS = input.arrivalsPerHour / 3600;
  const load = lambdaPerS * ahtS;
  const base = { model: "erlang-c" as const, agents, loadErlangs: load, slThresholdS };
  if (load >= agents) {
    return {
      ...base,
      occupancy: 1,
      pWait: 1,
      asaS: Number.POSITIVE_INFINITY,
      meanWaitS: Number.POSITIVE_INFINITY,
      serviceLevel: 0,
      abandonRate: 0,
    };
  }
  const c = erlangCProbability(agents, load);
  // nμ − λ: the rate at which the queue drains when every agent is busy.
  const drainPerS = agents / ahtS - lambdaPerS;
  const asaS = c / drainPerS;
  return {
    ...base,
    occupancy: load / agents,
    pWait: c,
    asaS,
    meanWaitS: asaS,
    serviceLevel: 1 - c * Math.exp(-drainPerS * slThresholdS),
    abandonRate: 0,
  };
}
