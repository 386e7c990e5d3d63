/**
 * The discrete-event simulation of one policy: a future event list in virtual time drives the
 * real router engine through its public commands. Arrivals are submitted, the engine's offers
 * are accepted, rejected or left to time out by simulated agents, completions free capacity,
 * impatient contacts are cancelled as ABANDONED, shifts log agents in and out. The engine's own
 * deadlines (offer expiry, escalation, phase ends, wrap-up ends) run when the simulator calls
 * `tick(nowMs)` at exactly those times, which it knows from the effects and the queue config.
 */
import { createRouterEngine, type RouterEffect, type RouterEngine } from "../router/index.js";
import { type AgentRoster, createAgentRoster } from "./agent-roster.js";
import {
  type ArrivalStream,
  createArrivalStream,
  sampleMs,
  type TraceContact,
} from "./arrivals.js";
import { createEventQueue, type EventQueue } from "./event-queue.js";
import { createKpiCollector, type KpiCollector, type KpiReport } from "./kpi.js";
import { policySetup } from "./policy.js";
import { createRandom, type Random } from "./random.js";
import type { PolicyName, Scenario } from "./scenario-types.js";
import {
  ACCEPT,
  AGENT_RETURN,
  ARRIVAL,
  CONNECTED,
  createCustomerMemory,
  HANDLE_END,
  OFFERED,
  PATIENCE,
  type QueueTiming,
  REJECT,
  SHIFT,
  type SimContact,
  TICK_OFFER,
  TICK_WAITING,
  TICK_WRAP,
  WAITING,
  WRAP_END,
  WRAPPING,
} from "./sim-state.js";
import { HOUR_MS } from "./week-clock.js";

export interface PolicyRun extends KpiReport {
  readonly policy: PolicyName;
  readonly contactsSimulated: number;
  readonly engineCommands: number;
  readonly wallSeconds: number;
}

export interface RunOptions {
  /** Called now and then with the share of virtual time done, 0..1. */
  readonly onProgress?: (fraction: number) => void;
}

const DEFAULT_WEIGHTS: Record<string, number> = { VOICE: 1, EMAIL: 0.2, CHAT: 0.34, KIOSK: 1 };

export function runPolicy(s: Scenario, policy: PolicyName, options: RunOptions = {}): PolicyRun {
  return new Run(s, policy, options).run();
}

class Run {
  private readonly engine: RouterEngine;
  private readonly events: EventQueue = createEventQueue();
  private readonly kpi: KpiCollector;
  private readonly behaviour: Random;
  private readonly streams: ArrivalStream[];
  private readonly contacts = new Map<number, SimContact>();
  /** Each stream's next arrival, drawn one ahead so the trace never depends on the policy. */
  private readonly pendingArrivals: (TraceContact | null)[] = [];
  private readonly roster: AgentRoster;
  private readonly timing = new Map<string, QueueTiming>();
  private readonly lastContact = createCustomerMemory(100_000);
  private readonly weights: Record<string, number>;
  private readonly horizonMs: number;
  private readonly repeatWindowMs: number;
  private readonly contactPriority: boolean;
  private nextNo = 0;
  private now = 0;
  private busy = 0;
  private commands = 0;

  constructor(
    private readonly s: Scenario,
    private readonly policy: PolicyName,
    private readonly options: RunOptions,
  ) {
    const setup = policySetup(s, policy);
    this.engine = createRouterEngine(setup.engineOptions);
    this.contactPriority = setup.contactPriority;
    for (const q of setup.routing.queues) {
      this.timing.set(q.id, {
        stepsAfterMs: (q.escalation ?? []).map((e) => e.afterMs),
        phaseEndsMs: [q.preferredAgentWaitMs ?? 20_000, q.accountTeamWaitMs ?? 60_000],
      });
    }
    this.horizonMs = Math.round(s.durationHours * HOUR_MS);
    this.repeatWindowMs = s.engine.repeatWindowMs ?? 72 * HOUR_MS;
    this.weights = { ...DEFAULT_WEIGHTS, ...s.engine.channelWeights };
    this.kpi = createKpiCollector({
      startMs: Math.round(s.warmupHours * HOUR_MS),
      endMs: this.horizonMs,
      intervalMs: s.intervalMinutes * 60_000,
      slThresholdS: s.slThresholdS,
    });
    const root = createRandom(s.seed);
    this.behaviour = root.fork("behaviour");
    this.streams = s.streams.map((spec) =>
      createArrivalStream(spec, {
        startWeekday: s.startWeekday,
        horizonMs: this.horizonMs,
        random: root.fork(`stream:${spec.id}`),
      }),
    );
    this.roster = createAgentRoster({
      scenario: s,
      engine: this.engine,
      events: this.events,
      apply: (effects) => this.apply(effects),
      onStaffed: (nowMs) => this.kpi.setLevels(nowMs, this.busy, this.roster.staffed),
    });
  }

  run(): PolicyRun {
    const started = performance.now();
    this.roster.start();
    this.streams.forEach((stream, i) => {
      this.scheduleArrival(i, stream);
    });
    const hardEndMs = this.horizonMs + Math.round(this.s.drainHours * HOUR_MS);
    const progress = this.options.onProgress;
    let count = 0;
    for (let ev = this.events.pop(); ev !== undefined; ev = this.events.pop()) {
      if (ev.atMs > hardEndMs) break;
      this.now = ev.atMs;
      this.dispatch(ev.kind, ev.ref, ev.version);
      if (this.now >= this.horizonMs && this.contacts.size === 0) break;
      if (progress !== undefined && (++count & 0xffff) === 0)
        progress(Math.min(1, this.now / this.horizonMs));
    }
    for (const c of this.contacts.values())
      this.finish(c, c.state >= CONNECTED ? "answered" : "unresolved", null);
    this.kpi.setLevels(this.horizonMs, this.busy, this.roster.staffed);
    progress?.(1);
    return {
      policy: this.policy,
      ...this.kpi.report(),
      contactsSimulated: this.nextNo,
      engineCommands: this.commands,
      wallSeconds: (performance.now() - started) / 1000,
    };
  }

  private scheduleArrival(index: number, stream: ArrivalStream): void {
    const next = stream.next();
    if (next === null) return;
    this.pendingArrivals[index] = next;
    this.events.push(next.arrivalMs, ARRIVAL, index);
  }

  private dispatch(kind: number, ref: number, version: number): void {
    switch (kind) {
      case ARRIVAL:
        this.arrive(ref);
        return;
      case PATIENCE: {
        const c = this.contacts.get(ref);
        if (c === undefined || c.state >= CONNECTED) return;
        this.apply(
          this.engine.cancelContact({ nowMs: this.now, contactId: c.id, reason: "ABANDONED" }),
        );
        this.finish(c, "abandoned", null);
        return;
      }
      case ACCEPT:
      case REJECT: {
        const c = this.contacts.get(ref);
        if (c === undefined || c.state !== OFFERED || c.offerVersion !== version) return;
        const cmd = { nowMs: this.now, offerId: c.offerId, version };
        this.apply(kind === ACCEPT ? this.engine.acceptOffer(cmd) : this.engine.rejectOffer(cmd));
        return;
      }
      case HANDLE_END: {
        const c = this.contacts.get(ref);
        if (c === undefined || c.state !== CONNECTED) return;
        if (c.wrapMs > 0) {
          c.state = WRAPPING;
          this.events.push(this.now + c.wrapMs, WRAP_END, c.no);
          this.apply(this.engine.startWrapUp({ nowMs: this.now, contactId: c.id }));
        } else this.apply(this.engine.completeContact({ nowMs: this.now, contactId: c.id }));
        return;
      }
      case WRAP_END: {
        const c = this.contacts.get(ref);
        if (c === undefined || c.state !== WRAPPING) return;
        this.apply(this.engine.completeContact({ nowMs: this.now, contactId: c.id }));
        return;
      }
      case TICK_OFFER:
      case TICK_WAITING:
      case TICK_WRAP: {
        const c = this.contacts.get(ref);
        const due =
          c !== undefined &&
          (kind === TICK_OFFER
            ? c.state === OFFERED && c.offerVersion === version
            : c.state === (kind === TICK_WAITING ? WAITING : WRAPPING));
        if (due) this.apply(this.engine.tick(this.now));
        return;
      }
      case SHIFT:
        this.roster.onShiftChange(ref, this.now);
        return;
      case AGENT_RETURN:
        this.roster.onReturn(ref, this.now);
    }
  }

  private arrive(streamIndex: number): void {
    const t = this.pendingArrivals[streamIndex];
    const stream = this.streams[streamIndex];
    if (t === null || t === undefined || stream === undefined) return;
    const no = this.nextNo++;
    const last = this.lastContact.get(t.customerId);
    const repeat = last !== undefined && this.now - last.endedMs <= this.repeatWindowMs;
    const channel = stream.spec.channel;
    const c: SimContact = {
      no,
      id: `c${no}`,
      arrivalMs: this.now,
      channel,
      weight: this.weights[channel] ?? 1,
      handleMs: t.handleMs,
      wrapMs: t.wrapMs,
      customerId: t.customerId,
      repeat,
      prevAgentId: last?.agentId ?? null,
      state: WAITING,
      queueId: "",
      queuedAtMs: this.now,
      queuedOnArrival: false,
      offerId: "",
      offerVersion: 0,
      agentId: null,
      connectedMs: 0,
      rejected: 0,
      expired: 0,
    };
    this.contacts.set(no, c);
    const input =
      this.contactPriority || t.input.priority === undefined
        ? t.input
        : { ...t.input, priority: 0 };
    this.apply(this.engine.submitContact({ nowMs: this.now, contact: { ...input, id: c.id } }));
    if (c.state === WAITING && this.contacts.has(no)) c.queuedOnArrival = true;
    if (Number.isFinite(t.patienceMs)) this.events.push(this.now + t.patienceMs, PATIENCE, no);
    this.scheduleArrival(streamIndex, stream);
  }

  private contactOf(id: string): SimContact | undefined {
    return this.contacts.get(Number(id.slice(1)));
  }

  /** Reacts to the engine's effects, in order. */
  private apply(effects: readonly RouterEffect[]): void {
    this.commands++;
    for (const e of effects) {
      switch (e.type) {
        case "OFFER_CREATED": {
          const c = this.contactOf(e.offer.contactId);
          if (c === undefined) break;
          c.state = OFFERED;
          c.offerId = e.offer.offerId;
          c.offerVersion = e.offer.version;
          c.queueId = e.offer.queueId;
          this.respond(c, e.offer.expiresAtMs);
          break;
        }
        case "CONTACT_QUEUED": {
          const c = this.contactOf(e.contactId);
          if (c === undefined) break;
          const first = c.queueId === "";
          c.queueId = e.queueId;
          c.state = WAITING;
          if (first) this.scheduleDeadlines(c, e.decision.phase !== "OPEN");
          break;
        }
        case "CONTACT_OVERFLOWED": {
          const c = this.contactOf(e.contactId);
          if (c === undefined) break;
          c.queueId = e.toQueueId;
          c.queuedAtMs = e.atMs;
          this.scheduleDeadlines(c, false);
          break;
        }
        case "OFFER_REJECTED":
        case "OFFER_EXPIRED": {
          const c = this.contactOf(e.contactId);
          if (c === undefined) break;
          c.state = WAITING;
          if (e.type === "OFFER_REJECTED") c.rejected++;
          else c.expired++;
          break;
        }
        case "CONTACT_CONNECTED": {
          const c = this.contactOf(e.contactId);
          if (c === undefined) break;
          c.state = CONNECTED;
          c.agentId = e.agentId;
          c.connectedMs = e.atMs;
          const factor = c.prevAgentId === e.agentId ? this.s.behaviour.sameAgentHandleFactor : 1;
          this.events.push(e.atMs + Math.max(1, Math.round(c.handleMs * factor)), HANDLE_END, c.no);
          this.busy += c.weight;
          this.kpi.setLevels(e.atMs, this.busy, this.roster.staffed);
          break;
        }
        case "CONTACT_WRAP_UP": {
          const c = this.contactOf(e.contactId);
          if (c !== undefined && e.wrapUpEndsAtMs < e.atMs + c.wrapMs)
            this.events.push(e.wrapUpEndsAtMs, TICK_WRAP, c.no);
          break;
        }
        case "CONTACT_COMPLETED": {
          const c = this.contactOf(e.contactId);
          if (c === undefined) break;
          this.busy -= c.weight;
          this.kpi.setLevels(e.atMs, this.busy, this.roster.staffed);
          this.lastContact.set(c.customerId, { agentId: e.agentId, endedMs: e.atMs });
          this.finish(c, "answered", e.atMs - c.connectedMs);
          break;
        }
        case "AGENT_STATE_CHANGED":
          if (e.to === "AWAY" && e.reason === "MISSED_OFFERS")
            this.roster.onMissedOffers(e.agentId, e.atMs);
          break;
        default:
          break;
      }
    }
  }

  /** The simulated agent's answer to an offer: accept, reject, or let it time out. */
  private respond(c: SimContact, expiresAtMs: number): void {
    const b = this.s.behaviour;
    const u = b.rejectRate + b.timeoutRate > 0 ? this.behaviour.next() : 1;
    if (u < b.rejectRate) {
      const at = Math.min(expiresAtMs - 1, this.now + sampleMs(b.rejectDelay, this.behaviour));
      this.events.push(Math.max(this.now, at), REJECT, c.no, c.offerVersion);
    } else if (u < b.rejectRate + b.timeoutRate) {
      this.events.push(expiresAtMs, TICK_OFFER, c.no, c.offerVersion);
    } else {
      const delay = b.acceptDelay.meanS === 0 ? 0 : sampleMs(b.acceptDelay, this.behaviour);
      this.events.push(
        Math.max(this.now, Math.min(expiresAtMs - 1, this.now + delay)),
        ACCEPT,
        c.no,
        c.offerVersion,
      );
    }
  }

  /** Ticks at the engine's time-based transitions for a waiting contact: phase ends, steps. */
  private scheduleDeadlines(c: SimContact, phases: boolean): void {
    const timing = this.timing.get(c.queueId);
    if (timing === undefined) return;
    if (phases)
      for (const ms of timing.phaseEndsMs) this.events.push(c.arrivalMs + ms, TICK_WAITING, c.no);
    for (const ms of timing.stepsAfterMs) this.events.push(c.queuedAtMs + ms, TICK_WAITING, c.no);
  }

  private finish(
    c: SimContact,
    outcome: "answered" | "abandoned" | "unresolved",
    handleMs: number | null,
  ): void {
    this.contacts.delete(c.no);
    const endMs = outcome === "answered" ? c.connectedMs : this.now;
    this.kpi.record({
      queueId: c.queueId === "" ? "unrouted" : c.queueId,
      channel: c.channel,
      arrivalMs: c.arrivalMs,
      waitMs: endMs - c.arrivalMs,
      outcome,
      handleMs,
      queuedOnArrival: c.queuedOnArrival,
      repeat: c.repeat,
      sameAgent: c.repeat && c.agentId !== null && c.agentId === c.prevAgentId,
      offersRejected: c.rejected,
      offersTimedOut: c.expired,
    });
  }
}
