import { describe, expect, it } from "vitest";
import { createEventQueue } from "./event-queue.js";
import { createRandom } from "./random.js";
import { quickScenario } from "./scenario-quick.js";
import type { Scenario } from "./scenario-types.js";
import { runPolicy } from "./simulator.js";
import { localWeekMs, rateAt, shiftIntervals, shiftStateAt, WEEK_MS } from "./week-clock.js";

const H = 3_600_000;

describe("random", () => {
  it("is reproducible per seed and fork label, and independent across them", () => {
    const a = createRandom(1);
    const b = createRandom(1);
    const seq = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seq);
    expect(createRandom(2).next()).not.toBe(seq[0]);
    expect(createRandom(1).fork("x").next()).toBe(createRandom(1).fork("x").next());
    expect(createRandom(1).fork("x").next()).not.toBe(createRandom(1).fork("y").next());
  });

  it("draws with the requested means (200 000 draws, 4 standard errors)", () => {
    const r = createRandom(42);
    const n = 200_000;
    let u = 0;
    let e = 0;
    let l = 0;
    for (let i = 0; i < n; i++) {
      u += r.next();
      e += r.exponential(3);
      l += r.lognormal(5, 0.5);
    }
    expect(Math.abs(u / n - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(e / n - 3)).toBeLessThan(4 * (3 / Math.sqrt(n)));
    expect(Math.abs(l / n - 5)).toBeLessThan(4 * (2.5 / Math.sqrt(n)));
  });
});

describe("event queue", () => {
  it("pops in time order, ties in insertion order", () => {
    const q = createEventQueue();
    const r = createRandom(3);
    const pushed: [number, number][] = [];
    for (let i = 0; i < 2000; i++) {
      const t = Math.floor(r.next() * 100);
      q.push(t, 0, i);
      pushed.push([t, i]);
    }
    pushed.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const popped: [number, number][] = [];
    for (let e = q.pop(); e !== undefined; e = q.pop()) popped.push([e.atMs, e.ref]);
    expect(popped).toEqual(pushed);
  });
});

describe("week clock", () => {
  it("maps sim time to local hour and weekday, with the rate changing on local hours", () => {
    // t = 0 is Monday 00:00 UTC; UTC+8 is then Monday 08:00.
    expect(localWeekMs(0, 0, 8)).toBe(8 * H);
    expect(localWeekMs(0, 0, -5)).toBe(WEEK_MS - 5 * H);
    const hourly = Array.from({ length: 24 }, (_, h) => h);
    const r = rateAt(
      30 * 60_000,
      { perHour: 10, hourly, weekly: [1, 1, 1, 1, 1, 1, 1], utcOffsetHours: 5.5 },
      0,
    );
    expect(r.perMs * H).toBe(10 * 6); // 00:30 UTC = 06:00 local
    expect(r.untilMs).toBe(H + 30 * 60_000);
  });

  it("turns local shifts into sim-week intervals, also across the week boundary", () => {
    const iv = shiftIntervals([{ days: [6], startMinute: 22 * 60, durationMinutes: 4 * 60 }], 0, 0);
    expect(iv).toEqual([
      [0, 2 * H],
      [WEEK_MS - 2 * H, WEEK_MS],
    ]);
    expect(shiftStateAt(WEEK_MS - H, iv)).toEqual({ on: true, untilMs: WEEK_MS + 2 * H });
    expect(shiftStateAt(3 * H, iv)).toEqual({ on: false, untilMs: WEEK_MS - 2 * H });
    expect(shiftStateAt(5, [])).toEqual({ on: true, untilMs: Number.POSITIVE_INFINITY });
  });
});

function small(overrides: Partial<Scenario> = {}): Scenario {
  const base = quickScenario({
    arrivalsPerHour: 60,
    ahtS: 240,
    agents: 5,
    patienceS: 90,
    hours: 40,
    seed: 9,
  });
  return { ...base, ...overrides };
}

describe("simulator", () => {
  it("is deterministic for a seed and different for another", () => {
    const a = runPolicy(small(), "switchboard");
    const b = runPolicy(small(), "switchboard");
    expect(b.overall).toEqual(a.overall);
    expect(runPolicy(small({ seed: 10 }), "switchboard").overall).not.toEqual(a.overall);
  });

  it("counts rejected and timed-out offers, and agents set AWAY come back", () => {
    const s = small({
      behaviour: { ...small().behaviour, rejectRate: 0.1, timeoutRate: 0.05, awayS: 30 },
      routing: {
        queues: [{ id: "default", offerTimeoutMs: 5000 }],
        rules: [],
        defaultQueueId: "default",
      },
    });
    const r = runPolicy(s, "switchboard");
    expect(r.overall.offersRejected).toBeGreaterThan(0.05 * r.overall.contacts);
    expect(r.overall.offersTimedOut).toBeGreaterThan(0.02 * r.overall.contacts);
    expect(r.overall.answered).toBeGreaterThan(0.8 * r.overall.contacts);
  });

  it("agents off shift serve nobody: contacts at night abandon", () => {
    const base = small();
    const group = base.agentGroups[0];
    if (group === undefined) throw new Error("no group");
    const s = small({
      intervalMinutes: 60,
      warmupHours: 0,
      durationHours: 24,
      agentGroups: [
        {
          ...group,
          shifts: [{ days: [0, 1, 2, 3, 4, 5, 6], startMinute: 8 * 60, durationMinutes: 8 * 60 }],
        },
      ],
    });
    const r = runPolicy(s, "switchboard");
    const night = r.intervals.slice(0, 7);
    const day = r.intervals.slice(9, 15);
    expect(night.every((i) => i.answered === 0 || i.occupancy === 0)).toBe(true);
    expect(night.reduce((a, i) => a + i.abandoned, 0)).toBeGreaterThan(0);
    expect(day.every((i) => (i.occupancy ?? 0) > 0)).toBe(true);
  });

  it("runs both policies on the same trace; switchboard routes repeats to their last agent more often", () => {
    const base = small({ durationHours: 120 });
    const stream = base.streams[0];
    if (stream === undefined) throw new Error("no stream");
    const s: Scenario = {
      ...base,
      engine: {}, // the quick scenario switches customer history off; repeats need it
      streams: [{ ...stream, repeatShare: 0.4 }],
      behaviour: { ...base.behaviour, sameAgentHandleFactor: 0.7 },
    };
    const sb = runPolicy(s, "switchboard");
    const fifo = runPolicy(s, "fifo");
    expect(fifo.overall.contacts).toBe(sb.overall.contacts);
    expect(sb.overall.repeatShare).toBeGreaterThan(0.1);
    expect(sb.overall.repeatSameAgentShare).toBeGreaterThan(
      fifo.overall.repeatSameAgentShare + 0.2,
    );
    expect(sb.overall.ahtS).toBeLessThan(fifo.overall.ahtS);
  });
});
