import { randomFillSync } from "node:crypto";
import { type Clock, systemClock } from "./clock.js";

/**
 * UUIDv7 (RFC 9562): 48-bit Unix-ms timestamp, then random bits, so ids sort by creation time
 * (useful for stream replay and for humans reading logs). Within one millisecond a 12-bit
 * counter in rand_a keeps ids from one generator strictly increasing.
 */
export interface IdGenerator {
  next(): string;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * Random bytes drawn 4 KiB at a time: one randomFillSync (a call into OpenSSL, with a getpid
 * system call) per 512 ids instead of one per id. Shared by every generator in the process.
 */
const POOL = new Uint8Array(4096);
let poolAt = POOL.length;

function random8(into: Uint8Array): void {
  if (poolAt + 8 > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  into.set(POOL.subarray(poolAt, poolAt + 8), 8);
  poolAt += 8;
}

export function createIdGenerator(clock: Clock = systemClock): IdGenerator {
  let lastMs = -1;
  let counter = 0;
  const bytes = new Uint8Array(16);
  return {
    next() {
      let ms = clock.nowMs();
      if (ms <= lastMs) {
        ms = lastMs;
        counter++;
        if (counter > 0xfff) {
          // Counter exhausted within one ms: borrow the next millisecond to stay monotonic.
          ms = lastMs + 1;
          counter = 0;
        }
      } else {
        counter = 0;
      }
      lastMs = ms;
      random8(bytes);
      bytes[0] = Math.floor(ms / 2 ** 40) & 0xff;
      bytes[1] = Math.floor(ms / 2 ** 32) & 0xff;
      bytes[2] = (ms >>> 24) & 0xff;
      bytes[3] = (ms >>> 16) & 0xff;
      bytes[4] = (ms >>> 8) & 0xff;
      bytes[5] = ms & 0xff;
      bytes[6] = 0x70 | ((counter >>> 8) & 0x0f);
      bytes[7] = counter & 0xff;
      bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
      let out = "";
      for (let i = 0; i < 16; i++) {
        if (i === 4 || i === 6 || i === 8 || i === 10) out += "-";
        out += HEX[bytes[i] ?? 0];
      }
      return out;
    },
  };
}

const defaultGenerator = createIdGenerator();

/** A new UUIDv7 from the process-wide generator. */
export function newId(): string {
  return defaultGenerator.next();
}
