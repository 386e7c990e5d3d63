/**
 * The arrival trace of one stream: a non-homogeneous Poisson process whose rate is constant
 * within each local hour (exact: draw an exponential gap at the current rate; if it crosses
 * the next hour boundary, restart from the boundary — memorylessness makes that exact), and
 * for each arrival its contact attributes, handle time, wrap-up and patience.
 *
 * Every draw comes from the stream's own random stream, in a fixed order, so the trace is the
 * same whatever the routing policy does with it.
 */
import type { ContactInput } from "../router/index.js";
import type { Random } from "./random.js";
import type { DurationDist, StreamSpec } from "./scenario-types.js";
import { rateAt } from "./week-clock.js";

export interface TraceContact {
  readonly arrivalMs: number;
  /** Everything but the id, which the simulator assigns. */
  readonly input: Omit<ContactInput, "id">;
  readonly customerId: string;
  readonly handleMs: number;
  /** 0 = no wrap-up. */
  readonly wrapMs: number;
  /** Infinity = never abandons. */
  readonly patienceMs: number;
}

export interface ArrivalStream {
  readonly spec: StreamSpec;
  /** The next arrival before the horizon, or null when there is none. */
  next(): TraceContact | null;
}

export function sampleMs(dist: DurationDist, random: Random): number {
  const s =
    dist.dist === "constant"
      ? dist.meanS
      : dist.dist === "exponential"
        ? random.exponential(dist.meanS)
        : random.lognormal(dist.meanS, dist.cv);
  return Math.max(0, Math.round(s * 1000));
}

const RECENT_CUSTOMERS = 2048;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function createArrivalStream(
  spec: StreamSpec,
  options: { readonly startWeekday: number; readonly horizonMs: number; readonly random: Random },
): ArrivalStream {
  const { random, horizonMs, startWeekday } = options;
  const silent =
    spec.perHour === 0 || spec.hourly.every((w) => w === 0) || spec.weekly.every((w) => w === 0);
  const mixWeights = spec.skillMix.map((m) => m.weight);
  const mixTotal = mixWeights.reduce((a, b) => a + b, 0);
  const complexityTotal = spec.complexity.reduce((a, b) => a + b, 0);
  const languageTotal = spec.languageWeights.reduce((a, b) => a + b, 0);
  const kindTotal = spec.intermediary.kindWeights.reduce((a, b) => a + b, 0);
  const recent: string[] = [];
  let customers = 0;
  let t = 0;

  const nextTime = (): number => {
    for (;;) {
      const { perMs, untilMs } = rateAt(t, spec, startWeekday);
      if (t >= horizonMs) return Number.POSITIVE_INFINITY;
      if (perMs <= 0) {
        t = untilMs;
        continue;
      }
      const gap = random.exponential(1 / perMs);
      if (t + gap < untilMs) {
        t += gap;
        return t;
      }
      t = untilMs;
    }
  };

  const customer = (): string => {
    if (recent.length > 0 && random.next() < spec.repeatShare) {
      return recent[Math.floor(random.next() * recent.length)] as string;
    }
    const id = `${spec.id}:${customers++}`;
    if (recent.length < RECENT_CUSTOMERS) recent.push(id);
    else recent[customers % RECENT_CUSTOMERS] = id;
    return id;
  };

  return {
    spec,
    next() {
      if (silent) return null;
      const at = nextTime();
      if (at >= horizonMs) return null;
      const mix = spec.skillMix[random.pick(mixWeights, mixTotal)] ?? spec.skillMix[0];
      const complexity =
        complexityTotal > 0 ? random.pick(spec.complexity, complexityTotal) + 1 : 1;
      const language =
        spec.languages.length > 0
          ? spec.languages[random.pick(spec.languageWeights, languageTotal)]
          : undefined;
      const input: Mutable<Omit<ContactInput, "id">> = {
        channel: spec.channel,
        complexity,
        customerId: customer(),
      };
      if (mix !== undefined && mix.required.length > 0) input.requiredSkills = mix.required;
      if (mix !== undefined && mix.optional.length > 0) input.optionalSkills = mix.optional;
      if (language !== undefined) input.language = language;
      if (spec.priority !== 0) input.priority = spec.priority;
      if (Object.keys(spec.attributes).length > 0) input.attributes = spec.attributes;
      if (spec.intermediary.share > 0 && random.next() < spec.intermediary.share) {
        const kind = spec.intermediary.kinds[random.pick(spec.intermediary.kindWeights, kindTotal)];
        const k = Math.floor(random.next() * spec.intermediary.ids);
        if (kind !== undefined) input.intermediary = { kind, id: `${kind}-${k}`, present: true };
      }
      if (spec.account.share > 0 && random.next() < spec.account.share) {
        const k = Math.floor(random.next() * spec.account.accounts);
        input.account = { id: `acct-${k}`, institutional: spec.account.institutional };
      }
      return {
        arrivalMs: Math.round(at),
        input,
        customerId: input.customerId as string,
        handleMs: Math.max(1, sampleMs(spec.handle, random)),
        wrapMs: spec.wrapUp === null ? 0 : sampleMs(spec.wrapUp, random),
        patienceMs:
          spec.patience === null ? Number.POSITIVE_INFINITY : sampleMs(spec.patience, random),
      };
    },
  };
}
