/**
 * Erlang A (M/M/n+M): Poisson arrivals λ, exponential handling μ = 1/AHT, n agents, and
 * exponential patience θ = 1/patience; a contact abandons when its patience runs out first.
 *
 * Formulas from Garnett, Mandelbaum & Reiman (2002), "Designing a call center with impatient
 * customers", M&SOM 4(3), and Mandelbaum & Zeltyn, "The M/M/n+G queue: summary of performance
 * measures" (Technion note), with x = nμ/θ, y = λ/θ, ρ = λ/(nμ), E = Erlang B(n, λ/μ):
 *
 *   A(x, y)        = x·eʸ·y⁻ˣ·γ(x, y) = Γ(x+1)·eʸ·y⁻ˣ·P(x, y)
 *   P(W > 0)       = A·E / (1 + (A − 1)·E)
 *   P(Ab | W > 0)  = 1/(ρA) + 1 − 1/ρ
 *   E[W]           = P(Ab)/θ            (all contacts, abandoned ones until they leave)
 *   P(V > t | V>0) = P(x, y·e^{−θt}) / P(x, y)   (V: the wait of an infinitely patient contact)
 *
 * and, integrating e^{−θs} dF_V(s) (derived here; checked against a CTMC in the tests):
 *   P(served, W ≤ t | W > 0) = (x/y)·[P(x+1, y) − P(x+1, y·e^{−θt})] / P(x, y)
 *   E[W·1{served} | W > 0]   = (x/y)/P(x, y) · ∫₀^∞ P(x+1, y·e^{−θs}) ds   (quadrature)
 *
 * All in log space via the regularized incomplete gamma, so n in the thousands is fine.
 */
import { erlangC, lnErlangB } from "./erlang-c.js";
import { checkModelInput, type QueueMetrics, type QueueModelInput } from "./erlang-types.js";
import { lnDiffExp, lnGamma, lnIncompleteGamma } from "./gamma.js";

/** M/M/n+M. Without a finite `patienceS` this is Erlang C. */
export function erlangA(input: QueueModelInput): QueueMetrics {
  checkModelInput(input);
  const patienceS = input.patienceS;
  if (patienceS === undefined || !Number.isFinite(patienceS)) return erlangC(input);
  const { agents, ahtS } = input;
  const slThresholdS = input.slThresholdS ?? 20;
  const lambdaPerS = input.arrivalsPerHour / 3600;
  const load = lambdaPerS * ahtS;
  const base = { model: "erlang-a" as const, agents, loadErlangs: load, slThresholdS };
  if (load === 0) {
    return {
      ...base,
      occupancy: 0,
      pWait: 0,
      asaS: 0,
      meanWaitS: 0,
      serviceLevel: 1,
      abandonRate: 0,
    };
  }
  const theta = 1 / patienceS;
  const x = agents / ahtS / theta;
  const y = lambdaPerS / theta;
  const lnPxy = lnIncompleteGamma(x, y).lnP;
  const lnA = lnGamma(x + 1) + y - x * Math.log(y) + lnPxy;
  const lnE = lnErlangB(agents, load);
  // P(W>0) = 1/(1 + (1−E)/(E·A)), written so that neither E nor A has to be representable.
  const pWait = 1 / (1 + Math.exp(Math.log1p(-Math.exp(lnE)) - lnE - lnA));
  const rho = load / agents;
  const pAbandonIfWait = Math.min(1, Math.max(0, 1 / (rho * Math.exp(lnA)) + 1 - 1 / rho));
  const abandonRate = pWait * pAbandonIfWait;
  const servedShareIfWait = 1 - pAbandonIfWait;

  const u = Math.exp(-theta * slThresholdS);
  const servedWithin = (x / y) * Math.exp(lnServedBand(x + 1, y, y * u) - lnPxy);
  const served = 1 - abandonRate;
  const tail = integrateTail(x + 1, y, theta);
  const waitServedIfWait = (x / y) * tail.integral * Math.exp(tail.lnScale - lnPxy);
  return {
    ...base,
    occupancy: (load * served) / agents,
    pWait,
    asaS: served > 0 ? (pWait * waitServedIfWait) / served : Number.POSITIVE_INFINITY,
    meanWaitS: abandonRate / theta,
    serviceLevel: Math.min(1, 1 - pWait + pWait * Math.min(servedWithin, servedShareIfWait)),
    abandonRate,
  };
}

/** ln[P(a, hi) − P(a, lo)], lo ≤ hi, from whichever tail keeps its precision. */
function lnServedBand(a: number, hi: number, lo: number): number {
  const h = lnIncompleteGamma(a, hi);
  const l = lnIncompleteGamma(a, lo);
  if (h.lnP < Math.log(0.5)) return lnDiffExp(h.lnP, l.lnP);
  return lnDiffExp(l.lnQ, h.lnQ);
}

/**
 * ∫₀^∞ P(a, y·e^{−θs}) ds = e^{lnScale} × integral, by adaptive Simpson on the part where the
 * integrand matters. Scaled by P(a, y) so that a tiny P does not underflow to 0.
 */
function integrateTail(a: number, y: number, theta: number): { integral: number; lnScale: number } {
  const lnScale = lnIncompleteGamma(a, y).lnP;
  const f = (s: number) => Math.exp(lnIncompleteGamma(a, y * Math.exp(-theta * s)).lnP - lnScale);
  let end = 1 / theta;
  while (f(end) > 1e-13 && end < 1e12) end *= 2;
  const integral = simpson(f, 0, end, 1, f(end / 2), f(end), 1e-11 * end, 40);
  return { integral, lnScale };
}

function simpson(
  f: (s: number) => number,
  a: number,
  b: number,
  fa: number,
  fm: number,
  fb: number,
  tolerance: number,
  depth: number,
): number {
  const m = (a + b) / 2;
  const flm = f((a + m) / 2);
  const frm = f((m + b) / 2);
  const whole = ((b - a) / 6) * (fa + 4 * fm + fb);
  const left = ((m - a) / 6) * (fa + 4 * flm + fm);
  const right = ((b - m) / 6) * (fm + 4 * frm + fb);
  const delta = left + right - whole;
  if (depth <= 0 || Math.abs(delta) <= 15 * tolerance) return left + right + delta / 15;
  return (
    simpson(f, a, m, fa, flm, fm, tolerance / 2, depth - 1) +
    simpson(f, m, b, fm, frm, fb, tolerance / 2, depth - 1)
  );
}
