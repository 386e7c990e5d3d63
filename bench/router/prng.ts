/** Small deterministic randomness: a seeded stream and a stateless hash. */

export type Rng = () => number;

/** mulberry32: fast, good enough for workloads, reproducible across runs. */
export function seeded(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A value in [0, 1) fixed by (key, salt): lets both engines see the same "random" replies. */
export function hashUnit(key: number, salt: number): number {
  let h = (key ^ Math.imul(salt, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

export function pickWeighted<T>(rng: Rng, items: readonly (readonly [T, number])[]): T {
  // Indexed loops, not for…of with destructuring: this runs per generated contact, and an
  // iterator per call was most of the driver's garbage between the engine calls it times.
  let total = 0;
  for (let i = 0; i < items.length; i++) total += (items[i] as readonly [T, number])[1];
  let r = rng() * total;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as readonly [T, number];
    r -= item[1];
    if (r < 0) return item[0];
  }
  return (items[items.length - 1] as readonly [T, number])[0];
}
