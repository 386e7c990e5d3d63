/**
 * KPI tallies per queue, channel and interval. Contacts are counted in the interval they
 * arrived in; occupancy integrates busy and staffed agent-time over each interval.
 *
 * Definitions (also in sim/README.md): service level = answered within the threshold ÷
 * (answered + abandoned); ASA = mean wait of answered contacts; pWait = share not offered on
 * arrival; abandon rate = abandoned ÷ (answered + abandoned); AHT = connected → completed;
 * occupancy = busy agent-time (contacts connected or in wrap-up, weighted by channel) ÷
 * logged-in agent-time; repeat share = contacts whose customer's previous contact ended within
 * the engine's repeat window.
 */

export interface Kpis {
  readonly contacts: number;
  readonly answered: number;
  readonly abandoned: number;
  readonly unresolved: number;
  readonly serviceLevel: number;
  readonly asaS: number;
  readonly meanWaitS: number;
  readonly pWait: number;
  readonly abandonRate: number;
  readonly ahtS: number;
  /** Only overall and per interval: agents are shared between queues and channels. */
  readonly occupancy: number | null;
  readonly repeatShare: number;
  /** Of answered repeat contacts, the share that reached the agent who served them last. */
  readonly repeatSameAgentShare: number;
  readonly offersRejected: number;
  readonly offersTimedOut: number;
}

export interface ContactRecordKpi {
  readonly queueId: string;
  readonly channel: string;
  readonly arrivalMs: number;
  readonly waitMs: number;
  readonly outcome: "answered" | "abandoned" | "unresolved";
  /** null while not completed. */
  readonly handleMs: number | null;
  readonly queuedOnArrival: boolean;
  readonly repeat: boolean;
  readonly sameAgent: boolean;
  readonly offersRejected: number;
  readonly offersTimedOut: number;
}

class Tally {
  arrived = 0;
  answered = 0;
  abandoned = 0;
  unresolved = 0;
  within = 0;
  queued = 0;
  waitAnsweredMs = 0;
  waitAllMs = 0;
  handled = 0;
  handleMs = 0;
  repeat = 0;
  repeatAnswered = 0;
  repeatSame = 0;
  rejected = 0;
  expired = 0;
  busyMs = 0;
  staffedMs = 0;

  add(c: ContactRecordKpi, thresholdMs: number): void {
    this.arrived++;
    if (c.queuedOnArrival) this.queued++;
    if (c.repeat) this.repeat++;
    this.rejected += c.offersRejected;
    this.expired += c.offersTimedOut;
    if (c.outcome === "unresolved") {
      this.unresolved++;
      return;
    }
    this.waitAllMs += c.waitMs;
    if (c.outcome === "abandoned") {
      this.abandoned++;
      return;
    }
    this.answered++;
    this.waitAnsweredMs += c.waitMs;
    if (c.waitMs <= thresholdMs) this.within++;
    if (c.handleMs !== null) {
      this.handled++;
      this.handleMs += c.handleMs;
    }
    if (c.repeat) {
      this.repeatAnswered++;
      if (c.sameAgent) this.repeatSame++;
    }
  }

  kpis(withOccupancy: boolean): Kpis {
    const ended = this.answered + this.abandoned;
    const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
    return {
      contacts: this.arrived,
      answered: this.answered,
      abandoned: this.abandoned,
      unresolved: this.unresolved,
      serviceLevel: ratio(this.within, ended),
      asaS: ratio(this.waitAnsweredMs, this.answered) / 1000,
      meanWaitS: ratio(this.waitAllMs, ended) / 1000,
      pWait: ratio(this.queued, this.arrived),
      abandonRate: ratio(this.abandoned, ended),
      ahtS: ratio(this.handleMs, this.handled) / 1000,
      occupancy: withOccupancy ? ratio(this.busyMs, this.staffedMs) : null,
      repeatShare: ratio(this.repeat, this.arrived),
      repeatSameAgentShare: ratio(this.repeatSame, this.repeatAnswered),
      offersRejected: this.rejected,
      offersTimedOut: this.expired,
    };
  }
}

export interface IntervalKpis extends Kpis {
  readonly startMs: number;
}

export interface KpiReport {
  readonly overall: Kpis;
  readonly byQueue: Readonly<Record<string, Kpis>>;
  readonly byChannel: Readonly<Record<string, Kpis>>;
  readonly intervals: readonly IntervalKpis[];
}

export interface KpiCollector {
  record(c: ContactRecordKpi): void;
  /** Busy and staffed levels (in agents) from `nowMs` on. */
  setLevels(nowMs: number, busy: number, staffed: number): void;
  report(): KpiReport;
}

export function createKpiCollector(options: {
  readonly startMs: number;
  readonly endMs: number;
  readonly intervalMs: number;
  readonly slThresholdS: number;
}): KpiCollector {
  const { startMs, endMs, intervalMs } = options;
  const thresholdMs = options.slThresholdS * 1000;
  const overall = new Tally();
  const byQueue = new Map<string, Tally>();
  const byChannel = new Map<string, Tally>();
  const intervals = Array.from(
    { length: Math.ceil((endMs - startMs) / intervalMs) },
    () => new Tally(),
  );
  let lastMs = startMs;
  let busy = 0;
  let staffed = 0;
  const tallyOf = (m: Map<string, Tally>, k: string) => {
    const found = m.get(k);
    if (found !== undefined) return found;
    const t = new Tally();
    m.set(k, t);
    return t;
  };
  const integrate = (untilMs: number) => {
    const to = Math.min(untilMs, endMs);
    while (lastMs < to) {
      const i = Math.floor((lastMs - startMs) / intervalMs);
      const stop = Math.min(to, startMs + (i + 1) * intervalMs);
      const t = intervals[i] as Tally;
      t.busyMs += busy * (stop - lastMs);
      t.staffedMs += staffed * (stop - lastMs);
      overall.busyMs += busy * (stop - lastMs);
      overall.staffedMs += staffed * (stop - lastMs);
      lastMs = stop;
    }
  };
  return {
    record(c) {
      if (c.arrivalMs < startMs || c.arrivalMs >= endMs) return;
      overall.add(c, thresholdMs);
      tallyOf(byQueue, c.queueId).add(c, thresholdMs);
      tallyOf(byChannel, c.channel).add(c, thresholdMs);
      intervals[Math.floor((c.arrivalMs - startMs) / intervalMs)]?.add(c, thresholdMs);
    },
    setLevels(nowMs, b, s) {
      if (nowMs > lastMs) integrate(nowMs);
      busy = b;
      staffed = s;
    },
    report() {
      integrate(endMs);
      const sorted = (m: Map<string, Tally>) =>
        Object.fromEntries(
          [...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, t]) => [k, t.kpis(false)]),
        );
      return {
        overall: overall.kpis(true),
        byQueue: sorted(byQueue),
        byChannel: sorted(byChannel),
        intervals: intervals.map((t, i) => ({
          startMs: startMs + i * intervalMs,
          ...t.kpis(true),
        })),
      };
    },
  };
}
