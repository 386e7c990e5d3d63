/**
 * What this machine charges for memory the engine does not find in cache: the time of one
 * dependent load (a pointer chase over a random cyclic permutation of cache lines in a typed
 * array) for working sets from inside the L2 cache to well beyond the last-level cache. The
 * router bench prints it beside its numbers: a decision touches a few dozen cold lines, so
 * these latencies bound what any engine can do here.
 */
import { seeded } from "./prng.js";

const LINE_INTS = 16; // 64-byte cache lines of 4-byte ints
const STEPS = 2_000_000;

export interface LoadLatency {
  readonly mb: number;
  readonly ns: number;
}

export function loadLatencyNs(mb: number, seed = 7): number {
  const ints = Math.floor((mb * 2 ** 20) / 4);
  const lines = Math.floor(ints / LINE_INTS);
  const next = new Int32Array(ints);
  const order = new Int32Array(lines);
  for (let i = 0; i < lines; i++) order[i] = i;
  const rng = seeded(seed);
  for (let i = lines - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  for (let i = 0; i < lines; i++) {
    next[(order[i] as number) * LINE_INTS] = (order[(i + 1) % lines] as number) * LINE_INTS;
  }
  let p = 0;
  for (let i = 0; i < STEPS / 10; i++) p = next[p] as number; // warm the TLB and the code
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < STEPS; i++) p = next[p] as number;
  const ns = Number(process.hrtime.bigint() - t0) / STEPS;
  if (p < 0) throw new Error("unreachable"); // keeps the chase from being optimized away
  return Math.round(ns * 10) / 10;
}

export function loadLatencies(): LoadLatency[] {
  return [0.5, 4, 16, 64, 256].map((mb) => ({ mb, ns: loadLatencyNs(mb) }));
}
