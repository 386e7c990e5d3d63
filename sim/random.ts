/**
 * Seeded randomness. xoshiro128** 1.1 (Blackman & Vigna, https://prng.di.unimi.it/): 128-bit
 * state, period 2¹²⁸ − 1, passes BigCrush, and only needs 32-bit integer arithmetic, which JS
 * does exactly with Math.imul and >>>. Seeded through splitmix32 so that nearby seeds (1, 2, 3)
 * give unrelated streams, and `fork(label)` derives independent streams for the arrival trace,
 * agent behaviour and so on — the trace then stays identical whatever the routing policy does.
 */

export interface Random {
  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number;
  /** Exponential with the given mean. */
  exponential(mean: number): number;
  /** Lognormal with the given mean and coefficient of variation (sd / mean). */
  lognormal(mean: number, cv: number): number;
  /** Index drawn with probability proportional to `weights` (given their sum). */
  pick(weights: readonly number[], total: number): number;
  /** An independent stream, deterministic in this stream's seed and the label. */
  fork(label: string): Random;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function hashLabel(seed: number, label: string): number {
  let h = (seed ^ 0x2545f491) >>> 0;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

class Xoshiro128 implements Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare = Number.NaN;

  constructor(private readonly seed: number) {
    const sm = splitmix32(seed);
    this.a = sm();
    this.b = sm();
    this.c = sm();
    this.d = sm();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  next(): number {
    return this.nextUint32() / 4294967296;
  }

  exponential(mean: number): number {
    // 1 − u is in (0, 1], so the log is finite.
    return -mean * Math.log(1 - this.next());
  }

  lognormal(mean: number, cv: number): number {
    const sigma2 = Math.log(1 + cv * cv);
    const mu = Math.log(mean) - sigma2 / 2;
    return Math.exp(mu + Math.sqrt(sigma2) * this.normal());
  }

  pick(weights: readonly number[], total: number): number {
    let u = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i] as number;
      if (u < 0) return i;
    }
    return weights.length - 1;
  }

  fork(label: string): Random {
    return new Xoshiro128(hashLabel(this.seed, label));
  }

  /** Box–Muller, keeping the second variate for the next call. */
  private normal(): number {
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = Number.NaN;
      return s;
    }
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A seeded xoshiro128** stream. Same seed → same sequence, on every platform. */
export function createRandom(seed: number): Random {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  return new Xoshiro128(seed >>> 0);
}
