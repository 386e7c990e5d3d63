/**
 * A closed-loop discrete-event driver: arrivals, agent replies (accept 97%, reject 1%, ignore
 * 2% → expiry), completions, abandonment, presence churn and a 1 s tick. Every engine call is
 * timed with process.hrtime.bigint; a call's time is split evenly over the routing decisions
 * it returned (OFFER_CREATED and CONTACT_QUEUED each carry one).
 *
 * The driver's state is plain data, so a warmed-up run can be cloned and replayed against
 * another engine restored from the same snapshot — the same trace for the baseline.
 */
import type { Channel, RouterEffect, RouterEngine } from "../../router/index.js";
import { RouterError } from "../../router/index.js";
import { hashUnit } from "./prng.js";
import { handleTimeMs, makeContact } from "./workload.js";

type Event = [timeMs: number, seq: number, kind: number, a: string, b: number];
const ARRIVAL = 0;
const RESPOND = 1;
const COMPLETE = 2;
const ABANDON = 3;
const PRESENCE = 4;
const TICK = 5;

/** What the driver calls: a RouterEngine, or the bench's floor (floor.ts). */
export type SimTarget = Pick<
  RouterEngine,
  | "submitContact"
  | "acceptOffer"
  | "rejectOffer"
  | "completeContact"
  | "cancelContact"
  | "setAgentPresence"
  | "tick"
> & { getContact(contactId: string): { readonly state: string } | undefined };

export interface Samples {
  /** Per-decision latency in ns, decisions with a winner or mixed calls. */
  matchNs: number[];
  /** Per-decision latency in ns, calls whose decisions all found no agent. */
  noMatchNs: number[];
  decisions: number;
  decisionNs: number;
  engineNs: number;
  calls: number;
  /** Order-sensitive digest of (contact, winner) pairs, to prove two engines agreed. */
  digest: number;
}

export function emptySamples(): Samples {
  return {
    matchNs: [],
    noMatchNs: [],
    decisions: 0,
    decisionNs: 0,
    engineNs: 0,
    calls: 0,
    digest: 0,
  };
}

export interface SimState {
  events: Event[];
  seq: number;
  nextArrival: number;
  nextArrivalMs: number;
  nowMs: number;
  /** Channel of each live contact, so replies need not regenerate the contact. */
  channels: Record<string, Channel>;
}

export class Sim {
  constructor(
    readonly agentCount: number,
    readonly ratePerMs: number,
    readonly seed: number,
    public state: SimState,
  ) {}

  static start(agentCount: number, ratePerMs: number, seed: number): Sim {
    const sim = new Sim(agentCount, ratePerMs, seed, {
      events: [],
      seq: 0,
      nextArrival: 0,
      nextArrivalMs: 0,
      nowMs: 0,
      channels: {},
    });
    sim.push(0, ARRIVAL, "", 0);
    sim.push(1000, TICK, "", 0);
    sim.push(1500, PRESENCE, "", 0);
    return sim;
  }

  clone(): Sim {
    return new Sim(this.agentCount, this.ratePerMs, this.seed, structuredClone(this.state));
  }

  /** Runs events with time < endMs against `engine`, adding measurements to `samples`. */
  run(engine: SimTarget, endMs: number, samples: Samples): void {
    for (;;) {
      const ev = this.peek();
      if (ev === undefined || ev[0] >= endMs) break;
      this.pop();
      const now = ev[0];
      this.state.nowMs = now;
      switch (ev[2]) {
        case ARRIVAL: {
          const i = this.state.nextArrival++;
          const a = makeContact(i, now, this.agentCount, this.seed);
          this.state.channels[a.contact.id] = a.contact.channel;
          this.timed(samples, () =>
            engine.submitContact({
              nowMs: now,
              contact: a.contact,
              ...(a.history === undefined ? {} : { history: a.history }),
            }),
          );
          this.push(now + a.patienceMs, ABANDON, a.contact.id, 0);
          const gap = -Math.log(1 - hashUnit(i, this.seed)) / this.ratePerMs;
          this.push(now + Math.max(1, Math.round(gap)), ARRIVAL, "", 0);
          break;
        }
        case RESPOND: {
          const u = hashUnit(ev[4], 17);
          if (u < 0.02) break; // ignored: the offer will expire
          const cmd = { nowMs: now, offerId: ev[3], version: ev[4] };
          this.timed(
            samples,
            () => (u < 0.03 ? engine.rejectOffer(cmd) : engine.acceptOffer(cmd)),
            true,
          );
          break;
        }
        case COMPLETE:
          delete this.state.channels[ev[3]];
          this.timed(samples, () => engine.completeContact({ nowMs: now, contactId: ev[3] }), true);
          break;
        case ABANDON:
          if (engine.getContact(ev[3])?.state === "WAITING") {
            delete this.state.channels[ev[3]];
            this.timed(samples, () =>
              engine.cancelContact({ nowMs: now, contactId: ev[3], reason: "ABANDONED" }),
            );
          }
          break;
        case PRESENCE: {
          if (ev[3] === "") {
            // Churn: one agent steps away for two minutes every (20 s / thousand agents).
            const agentId = `ag${Math.floor(hashUnit(ev[4], 29) * this.agentCount)}`;
            this.timed(samples, () =>
              engine.setAgentPresence({ nowMs: now, agentId, presence: "AWAY" }),
            );
            this.push(now + 120_000, PRESENCE, agentId, 0);
            this.push(now + Math.round(20_000_000 / this.agentCount), PRESENCE, "", ev[4] + 1);
          } else {
            this.timed(samples, () =>
              engine.setAgentPresence({ nowMs: now, agentId: ev[3], presence: "AVAILABLE" }),
            );
          }
          break;
        }
        case TICK:
          this.timed(samples, () => engine.tick(now));
          this.push(now + 1000, TICK, "", 0);
          break;
      }
    }
  }

  private timed(samples: Samples, call: () => RouterEffect[], tolerateGone = false): void {
    let effects: RouterEffect[];
    const t0 = process.hrtime.bigint();
    try {
      effects = call();
    } catch (err) {
      // A reply racing an expiry or abandonment, as in real life.
      if (tolerateGone && err instanceof RouterError) return;
      throw err;
    }
    const ns = Number(process.hrtime.bigint() - t0);
    samples.calls++;
    samples.engineNs += ns;
    let decisions = 0;
    let matched = 0;
    for (const e of effects) {
      if (e.type === "OFFER_CREATED") {
        decisions++;
        matched++;
        samples.digest =
          (Math.imul(samples.digest, 31) + hashString(`${e.offer.contactId}>${e.offer.agentId}`)) |
          0;
        this.push(e.atMs + 2000, RESPOND, e.offer.offerId, e.offer.version);
      } else if (e.type === "CONTACT_QUEUED") {
        decisions++;
      } else if (e.type === "CONTACT_CONNECTED") {
        const channel = this.channelOf(e.contactId);
        const key = Number(e.contactId.slice(1));
        this.push(e.atMs + handleTimeMs(channel, key, hashUnit(key, 5)), COMPLETE, e.contactId, 0);
      }
    }
    if (decisions === 0) return;
    samples.decisions += decisions;
    samples.decisionNs += ns;
    const per = ns / decisions;
    const into = matched === 0 ? samples.noMatchNs : samples.matchNs;
    for (let i = 0; i < decisions; i++) into.push(per);
  }

  private channelOf(contactId: string): Channel {
    const channel = this.state.channels[contactId];
    if (channel !== undefined) return channel;
    return makeContact(Number(contactId.slice(1)), 0, this.agentCount, this.seed).contact.channel;
  }

  private push(timeMs: number, kind: number, a: string, b: number): void {
    const h = this.state.events;
    h.push([timeMs, ++this.state.seq, kind, a, b]);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i] as Event, h[p] as Event)) break;
      [h[i], h[p]] = [h[p] as Event, h[i] as Event];
      i = p;
    }
  }

  private peek(): Event | undefined {
    return this.state.events[0];
  }

  private pop(): void {
    const h = this.state.events;
    const last = h.pop() as Event;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && before(h[r] as Event, h[l] as Event) ? r : l;
      if (!before(h[c] as Event, h[i] as Event)) break;
      [h[i], h[c]] = [h[c] as Event, h[i] as Event];
      i = c;
    }
  }
}

function before(a: Event, b: Event): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h;
}
