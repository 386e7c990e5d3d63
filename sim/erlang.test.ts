import { describe, expect, it } from "vitest";
import { erlangA } from "./erlang-a.js";
import { erlangB, erlangC } from "./erlang-c.js";
import { staffFor } from "./staffing.js";

/** Exact Erlang C for an integer load, with BigInt rationals: a slow, independent oracle. */
function exactErlangC(agents: number, load: number): number {
  const a = BigInt(load);
  const n = BigInt(agents);
  // Common denominator n!: term k = a^k/k! = a^k·(n!/k!)/n!.
  let fact = 1n;
  for (let k = 2n; k <= n; k++) fact *= k;
  let sum = 0n;
  let falling = fact; // n!/k!, starting at k = 0
  let power = 1n;
  for (let k = 0n; k < n; k++) {
    sum += power * falling;
    power *= a;
    falling /= k + 1n;
  }
  // a^n/n! · n/(n−a), times n!·(n−a) to stay integral.
  const top = power * n;
  const num = top;
  const den = sum * (n - a) + top;
  return Number((num * 10n ** 30n) / den) / 1e30;
}

/** Erlang B by the textbook recurrence B(k) = aB(k−1)/(k + aB(k−1)). */
function recurrenceErlangB(agents: number, load: number): number {
  let b = 1;
  for (let k = 1; k <= agents; k++) b = (load * b) / (k + load * b);
  return b;
}

/**
 * M/M/n+M by brute force: stationary birth–death probabilities on a truncated state space,
 * and the tagged contact's wait by uniformization of its own absorbing chain (ahead count j,
 * served, abandoned). Independent of the incomplete-gamma formulas it checks.
 */
function bruteForceErlangA(
  lambdaPerS: number,
  ahtS: number,
  n: number,
  patienceS: number,
  t: number,
) {
  const mu = 1 / ahtS;
  const theta = 1 / patienceS;
  const maxState = n + 400;
  const p: number[] = [1];
  for (let k = 1; k <= maxState; k++) {
    const down = k <= n ? k * mu : n * mu + (k - n) * theta;
    p.push(((p[k - 1] as number) * lambdaPerS) / down);
  }
  const total = p.reduce((s, v) => s + v, 0);
  const pi = p.map((v) => v / total);
  let pWait = 0;
  let queueMean = 0;
  for (let k = n; k <= maxState; k++) {
    pWait += pi[k] as number;
    queueMean += (k - n) * (pi[k] as number);
  }
  const abandonRate = (theta * queueMean) / lambdaPerS;
  // Tagged contact arriving in state n+j has j ahead; served within t?
  const J = 400;
  const rate = n * mu + J * theta + theta;
  let v = pi.slice(n, n + J); // mass by j ahead, already weighted by P(state)
  let served = 0;
  let weight = Math.exp(-rate * t);
  let cumulative = 0;
  for (let step = 0; step < 100_000 && cumulative < 1 - 1e-15; step++) {
    // served[t] = Σ_k Poisson(k; rate·t) × mass absorbed in "served" after k jumps.
    cumulative += weight;
    const next = new Array<number>(J).fill(0);
    let absorbed = 0;
    for (let j = 0; j < J; j++) {
      const m = v[j] as number;
      if (m === 0) continue;
      const forward = j === 0 ? n * mu : n * mu + j * theta;
      if (j === 0) absorbed += (m * forward) / rate;
      else next[j - 1] = (next[j - 1] as number) + (m * forward) / rate;
      next[j] = (next[j] as number) + (m * (rate - forward - theta)) / rate;
    }
    served += absorbed * (1 - cumulative);
    v = next;
    weight *= (rate * t) / (step + 1);
  }
  return {
    pWait,
    abandonRate,
    meanWaitS: queueMean / lambdaPerS,
    serviceLevel: 1 - pWait + served,
  };
}

describe("Erlang C", () => {
  it("matches exact rational arithmetic (Westbay's worked example: 720/h, 240 s, 55 agents)", () => {
    const m = erlangC({ arrivalsPerHour: 720, ahtS: 240, agents: 55, slThresholdS: 15 });
    const c = exactErlangC(55, 48);
    expect(m.pWait).toBeCloseTo(c, 12);
    expect(m.pWait).toBeCloseTo(0.2387, 4);
    expect(m.asaS).toBeCloseTo(c / (55 / 240 - 0.2), 9);
    expect(m.serviceLevel).toBeCloseTo(1 - c * Math.exp(-(55 / 240 - 0.2) * 15), 12);
    expect(m.occupancy).toBeCloseTo(48 / 55, 12);
  });

  it("matches exact arithmetic for small and large teams", () => {
    for (const [n, a] of [
      [6, 5],
      [2, 1],
      [100, 90],
      [1000, 975],
      [3000, 2950],
    ] as const) {
      const m = erlangC({ arrivalsPerHour: a * 20, ahtS: 180, agents: n });
      expect(m.pWait, `n=${n} a=${a}`).toBeCloseTo(exactErlangC(n, a), 11);
    }
  });

  it("Erlang B agrees with the recurrence at thousands of agents", () => {
    for (const [n, a] of [
      [10, 8.5],
      [500, 480.25],
      [5000, 4900],
      [20000, 19950.5],
    ] as const) {
      const exact = recurrenceErlangB(n, a);
      expect(Math.abs(erlangB(n, a) - exact) / exact).toBeLessThan(1e-9);
    }
  });

  it("is finite and sane at ten thousand agents and when overloaded", () => {
    const m = erlangC({ arrivalsPerHour: 120_000, ahtS: 300, agents: 10_050 });
    expect(m.pWait).toBeGreaterThan(0);
    expect(m.pWait).toBeLessThan(1);
    expect(Number.isFinite(m.asaS)).toBe(true);
    const over = erlangC({ arrivalsPerHour: 1000, ahtS: 360, agents: 100 });
    expect(over).toMatchObject({ pWait: 1, serviceLevel: 0, asaS: Number.POSITIVE_INFINITY });
  });
});

describe("Erlang A", () => {
  it("matches a brute-force CTMC solution", () => {
    for (const [perHour, ahtS, n, patienceS] of [
      [100, 180, 6, 60],
      [100, 180, 4, 120],
      [900, 180, 40, 30],
      [300, 240, 15, 300],
    ] as const) {
      const m = erlangA({ arrivalsPerHour: perHour, ahtS, agents: n, patienceS, slThresholdS: 20 });
      const b = bruteForceErlangA(perHour / 3600, ahtS, n, patienceS, 20);
      const at = `λ=${perHour}/h n=${n} patience=${patienceS}`;
      expect(m.pWait, at).toBeCloseTo(b.pWait, 9);
      expect(m.abandonRate, at).toBeCloseTo(b.abandonRate, 9);
      expect(m.meanWaitS, at).toBeCloseTo(b.meanWaitS, 7);
      expect(m.serviceLevel, at).toBeCloseTo(b.serviceLevel, 7);
    }
  });

  it("tends to Erlang C as patience grows", () => {
    const c = erlangC({ arrivalsPerHour: 100, ahtS: 180, agents: 6 });
    const a = erlangA({ arrivalsPerHour: 100, ahtS: 180, agents: 6, patienceS: 1e8 });
    expect(a.pWait).toBeCloseTo(c.pWait, 5);
    expect(a.serviceLevel).toBeCloseTo(c.serviceLevel, 5);
    expect(a.asaS).toBeCloseTo(c.asaS, 2);
  });

  it("stays finite at thousands of agents, also below the offered load", () => {
    for (const agents of [4000, 5000, 6000]) {
      const m = erlangA({ arrivalsPerHour: 60_000, ahtS: 300, agents, patienceS: 90 });
      for (const v of [m.pWait, m.abandonRate, m.serviceLevel, m.asaS, m.meanWaitS]) {
        expect(Number.isFinite(v), `agents=${agents}`).toBe(true);
      }
      expect(m.abandonRate).toBeGreaterThanOrEqual(0);
      expect(m.serviceLevel).toBeLessThanOrEqual(1);
    }
  });
});

describe("staffFor", () => {
  it("returns the fewest agents that meet the target", () => {
    const r = staffFor({ arrivalsPerHour: 1000, ahtS: 300, serviceLevel: 0.8, slThresholdS: 20 });
    expect(r.agents).toBe(91);
    expect(r.metrics.serviceLevel).toBeGreaterThanOrEqual(0.8);
    const fewer = erlangC({ arrivalsPerHour: 1000, ahtS: 300, agents: 90 });
    expect(fewer.serviceLevel).toBeLessThan(0.8);
  });

  it("needs fewer agents when contacts abandon, and handles large centres quickly", () => {
    const a = staffFor({ arrivalsPerHour: 1000, ahtS: 300, serviceLevel: 0.8, patienceS: 120 });
    expect(a.agents).toBeLessThan(91);
    expect(
      erlangA({ arrivalsPerHour: 1000, ahtS: 300, agents: a.agents - 1, patienceS: 120 })
        .serviceLevel,
    ).toBeLessThan(0.8);
    const big = staffFor({
      arrivalsPerHour: 100_000,
      ahtS: 300,
      serviceLevel: 0.9,
      slThresholdS: 15,
    });
    expect(big.agents).toBeGreaterThan(8334);
    expect(big.metrics.serviceLevel).toBeGreaterThanOrEqual(0.9);
  });

  it("honours ASA and abandonment caps", () => {
    const r = staffFor({
      arrivalsPerHour: 600,
      ahtS: 180,
      serviceLevel: 0,
      maxAsaS: 5,
      patienceS: 60,
      maxAbandonRate: 0.01,
    });
    expect(r.metrics.asaS).toBeLessThanOrEqual(5);
    expect(r.metrics.abandonRate).toBeLessThanOrEqual(0.01);
  });
});
