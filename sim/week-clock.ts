/**
 * Wall-clock arithmetic for the simulated week: local hour and weekday of a stream, arrival
 * rates by hour, and shift on/off times. Time zones are fixed UTC offsets (no daylight saving),
 * so a week is always 168 hours and runs are reproducible.
 */
import type { ShiftSpec } from "./scenario-types.js";

export const HOUR_MS = 3_600_000;
export const WEEK_MS = 168 * HOUR_MS;
const DAY_MS = 24 * HOUR_MS;

/** Position in the local week, ms since local Monday 00:00. */
export function localWeekMs(simMs: number, startWeekday: number, utcOffsetHours: number): number {
  const t = simMs + startWeekday * DAY_MS + utcOffsetHours * HOUR_MS;
  return ((t % WEEK_MS) + WEEK_MS) % WEEK_MS;
}

/** Arrivals per ms at `simMs` and the sim time at which that rate next changes. */
export function rateAt(
  simMs: number,
  profile: {
    readonly perHour: number;
    readonly hourly: readonly number[];
    readonly weekly: readonly number[];
    readonly utcOffsetHours: number;
  },
  startWeekday: number,
): { perMs: number; untilMs: number } {
  const local = localWeekMs(simMs, startWeekday, profile.utcOffsetHours);
  const hourOfWeek = Math.floor(local / HOUR_MS);
  const perHour =
    profile.perHour *
    (profile.hourly[hourOfWeek % 24] as number) *
    (profile.weekly[Math.floor(hourOfWeek / 24)] as number);
  return { perMs: perHour / HOUR_MS, untilMs: simMs + (HOUR_MS - (local % HOUR_MS)) };
}

/** On-shift intervals as [start, end) ms within the sim's own week (t mod WEEK_MS), merged. */
export function shiftIntervals(
  shifts: readonly ShiftSpec[],
  startWeekday: number,
  utcOffsetHours: number,
): [number, number][] {
  const raw: [number, number][] = [];
  // Local week ms → sim-week ms: subtract what localWeekMs adds.
  const shift = -(startWeekday * DAY_MS + utcOffsetHours * HOUR_MS);
  for (const s of shifts) {
    for (const d of s.days) {
      const start = (((d * DAY_MS + s.startMinute * 60_000 + shift) % WEEK_MS) + WEEK_MS) % WEEK_MS;
      const end = start + s.durationMinutes * 60_000;
      if (end <= WEEK_MS) raw.push([start, end]);
      else raw.push([start, WEEK_MS], [0, end - WEEK_MS]);
    }
  }
  raw.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of raw) {
    const last = merged[merged.length - 1];
    if (last !== undefined && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/** Whether `simMs` is on shift, and when that next changes (Infinity = never). */
export function shiftStateAt(
  simMs: number,
  intervals: readonly (readonly [number, number])[],
): { on: boolean; untilMs: number } {
  if (intervals.length === 0) return { on: true, untilMs: Number.POSITIVE_INFINITY };
  const weekStart = Math.floor(simMs / WEEK_MS) * WEEK_MS;
  const t = simMs - weekStart;
  if (intervals.length === 1 && intervals[0]?.[0] === 0 && intervals[0][1] === WEEK_MS) {
    return { on: true, untilMs: Number.POSITIVE_INFINITY };
  }
  for (const [start, end] of intervals) {
    if (t < start) return { on: false, untilMs: weekStart + start };
    if (t < end) {
      // A shift running into next week's first interval continues without a break.
      const first = intervals[0] as readonly [number, number];
      if (end === WEEK_MS && first[0] === 0)
        return { on: true, untilMs: weekStart + WEEK_MS + first[1] };
      return { on: true, untilMs: weekStart + end };
    }
  }
  const first = intervals[0] as readonly [number, number];
  return { on: false, untilMs: weekStart + WEEK_MS + first[0] };
}
