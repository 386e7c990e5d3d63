import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RouterEffect } from "./decision.js";
import { createRouterEngine, type RouterEngine, restoreRouterEngine } from "./engine.js";
import {
  AGENT_IDS,
  applyStep,
  type Cmd,
  hasRoom,
  ROUTING,
  type Step,
  staticallyEligible,
} from "./property-harness.js";
import type { RouterSnapshot } from "./snapshot.js";

const idx = fc.integer({ min: 0, max: AGENT_IDS.length - 1 });
const pickN = fc.nat(50);

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant("agent" as const),
      idx,
      prof: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 3, maxLength: 3 }),
      tier: fc.integer({ min: 1, max: 5 }),
      langs: fc.integer({ min: 0, max: 3 }),
      channels: fc.integer({ min: 1, max: 15 }),
      team: fc.integer({ min: 0, max: 2 }),
      broker: fc.boolean(),
      account: fc.boolean(),
      voiceWeight: fc.constantFrom(1, 0.5, 0.3),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant("presence" as const),
      idx,
      p: fc.constantFrom(0, 0, 0, 1, 2) as fc.Arbitrary<0 | 1 | 2>,
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      k: fc.constant("submit" as const),
      channel: fc.integer({ min: 0, max: 3 }),
      mins: fc.array(fc.constantFrom(0, 0, 1, 2, 3, 4), { minLength: 3, maxLength: 3 }),
      optional: fc.integer({ min: 0, max: 3 }),
      complexity: fc.integer({ min: 1, max: 5 }),
      lang: fc.integer({ min: 0, max: 2 }),
      broker: fc.boolean(),
      account: fc.integer({ min: 0, max: 2 }),
      priority: fc.integer({ min: 0, max: 3 }),
      lastAgent: fc.integer({ min: -3, max: AGENT_IDS.length - 1 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ k: fc.constantFrom("accept" as const, "reject" as const), pick: pickN }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ k: fc.constantFrom("wrap" as const, "complete" as const), pick: pickN }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("cancel" as const), pick: pickN }) },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant("transferQ" as const),
      pick: pickN,
      q: fc.integer({ min: 0, max: 1 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("transferA" as const), pick: pickN, idx }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("remove" as const), idx }) },
  { weight: 2, arbitrary: fc.constant({ k: "tick" as const }) },
);

const steps = fc.array(fc.record({ dtMs: fc.constantFrom(0, 0, 500, 3000, 12_000, 25_000), cmd }), {
  minLength: 5,
  maxLength: 70,
});

function newEngine(strategy: "indexed" | "naive-scan" = "indexed"): RouterEngine {
  return createRouterEngine({ routing: ROUTING, strategy, maxConsecutiveMisses: 2 });
}

/** Everything but the parts of an explanation that legitimately differ between strategies. */
function comparable(effects: readonly RouterEffect[]): unknown[] {
  return effects.map((e) => {
    if (!("decision" in e)) return e;
    const { candidatesConsidered: _c, exclusions: _x, reason: _r, ...d } = e.decision;
    return { ...e, decision: d };
  });
}

function checkInvariants(snap: RouterSnapshot, effects: readonly RouterEffect[]): void {
  const contacts = new Map(snap.contacts.map((c) => [c.input.id, c]));
  const agents = new Map(snap.agents.map((a) => [a.profile.id, a]));
  // An offer never goes to an ineligible agent.
  for (const e of effects) {
    if (e.type !== "OFFER_CREATED") continue;
    const c = contacts.get(e.offer.contactId);
    const a = agents.get(e.offer.agentId);
    if (c === undefined || a === undefined || c.offerId !== e.offer.offerId) continue;
    const asDecided = {
      ...c,
      step: e.decision.escalationStep,
      phase: e.decision.phase,
      queueId: e.decision.queueId,
    };
    expect(staticallyEligible(a, asDecided, snap.routing), `offer ${e.offer.offerId}`).toBe(true);
    expect(c.excluded).not.toContain(a.profile.id);
  }
  // Capacity is never exceeded, and load is exactly what is held.
  for (const a of snap.agents) {
    const sum = a.held.reduce((s, [, w]) => s + w, 0);
    expect(a.loadMilli).toBe(sum);
    expect(a.loadMilli).toBeLessThanOrEqual(1020);
    const voices = a.held.filter(([id]) => contacts.get(id)?.input.channel === "VOICE").length;
    expect(voices).toBeLessThanOrEqual(1);
    // (held weights are fixed at offer time, so a later profile change does not alter them)
    for (const [id] of a.held) expect(contacts.get(id)?.agentId).toBe(a.profile.id);
  }
  // A contact never has two live offers, and offers match contact state.
  const perContact = new Map<string, number>();
  for (const o of snap.offers) perContact.set(o.contactId, (perContact.get(o.contactId) ?? 0) + 1);
  for (const [id, n] of perContact) {
    expect(n).toBe(1);
    expect(contacts.get(id)?.state).toBe("OFFERED");
  }
  for (const c of snap.contacts) {
    if (c.state === "OFFERED") expect(perContact.get(c.input.id)).toBe(1);
    if (c.state === "WAITING") expect(c.waiting).toBe(true);
  }
  // Settled: no ready eligible agent beside a waiting contact it could take.
  for (const c of snap.contacts) {
    if (c.state !== "WAITING") continue;
    for (const a of snap.agents) {
      if (c.excluded.includes(a.profile.id)) continue;
      const idle = hasRoom(a, c.input.channel, snap) && staticallyEligible(a, c, snap.routing);
      expect(idle, `agent ${a.profile.id} idle beside ${c.input.id}`).toBe(false);
    }
  }
}

describe("engine properties over random command sequences", () => {
  it("offers only to eligible agents, within capacity, one live offer per contact, settled", () => {
    fc.assert(
      fc.property(steps, (script: Step[]) => {
        const e = newEngine();
        let now = 0;
        for (const s of script) {
          now += s.dtMs;
          const [fx] = applyStep([e], now, s);
          checkInvariants(e.snapshot(), fx ?? []);
        }
      }),
      { numRuns: 600 },
    );
  });

  it("the indexed engine decides exactly like the naive scan", () => {
    fc.assert(
      fc.property(steps, (script: Step[]) => {
        const engines = [newEngine("indexed"), newEngine("naive-scan")];
        let now = 0;
        for (const s of script) {
          now += s.dtMs;
          const [a, b] = applyStep(engines, now, s);
          expect(comparable(a ?? [])).toEqual(comparable(b ?? []));
        }
      }),
      { numRuns: 600 },
    );
  });

  it("restore-then-continue makes the same decisions as never stopping", () => {
    fc.assert(
      fc.property(steps, fc.nat(), (script: Step[], cut: number) => {
        const at = cut % script.length;
        const original = newEngine();
        let restored: RouterEngine | null = null;
        let now = 0;
        script.forEach((s, i) => {
          if (i === at)
            restored = restoreRouterEngine(JSON.parse(JSON.stringify(original.snapshot())));
          now += s.dtMs;
          const engines = restored === null ? [original] : [original, restored];
          const [a, b] = applyStep(engines, now, s);
          if (restored !== null) expect(b).toEqual(a);
        });
        const r = restored as RouterEngine | null;
        if (r !== null) expect(r.snapshot()).toEqual(original.snapshot());
      }),
      { numRuns: 400 },
    );
  });
});

describe("no starvation with aging", () => {
  /**
   * One agent, handle time H, one new contact every H (load exactly 1) on top of a backlog of
   * low-priority contacts. Without aging the backlog would wait forever behind newer, higher
   * priority arrivals; with +1 per I ms a contact outranks every newcomer after P·I, and is then
   * behind at most the backlog plus what arrived meanwhile.
   */
  it("every contact is offered within P·I + (backlog + P·I/H + 2)·H", () => {
    const H = 10_000;
    const I = 5_000;
    const P = 5;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 0, max: P }), { minLength: 30, maxLength: 80 }),
        (backlog, priorities) => {
          const e = createRouterEngine({
            routing: {
              queues: [{ id: "q", agingIntervalMs: I, wrapUpMs: 0 }],
              rules: [],
              defaultQueueId: "q",
            },
          });
          const submittedAt = new Map<string, number>();
          const offeredAt = new Map<string, number>();
          const handle = (fx: RouterEffect[], now: number) => {
            for (const x of fx) {
              if (x.type !== "OFFER_CREATED") continue;
              offeredAt.set(x.offer.contactId, now);
              e.acceptOffer({ nowMs: now, offerId: x.offer.offerId, version: x.offer.version });
            }
          };
          for (let i = 0; i < backlog; i++) {
            submittedAt.set(`b${i}`, 0);
            e.submitContact({ nowMs: 0, contact: { id: `b${i}`, channel: "VOICE", priority: 0 } });
          }
          handle(e.upsertAgent({ nowMs: 0, agent: { id: "solo", skills: [] } }), 0);
          handle(e.setAgentPresence({ nowMs: 0, agentId: "solo", presence: "AVAILABLE" }), 0);
          let current = [...offeredAt.keys()][0] as string;
          priorities.forEach((p, i) => {
            const now = (i + 1) * H;
            const before = new Set(offeredAt.keys());
            handle(e.completeContact({ nowMs: now, contactId: current }), now);
            submittedAt.set(`n${i}`, now);
            handle(
              e.submitContact({
                nowMs: now,
                contact: { id: `n${i}`, channel: "VOICE", priority: p },
              }),
              now,
            );
            const started = [...offeredAt.keys()].filter((k) => !before.has(k));
            expect(started).toHaveLength(1);
            current = started[0] as string;
          });
          const end = (priorities.length + 1) * H;
          const bound = P * I + (backlog + (P * I) / H + 2) * H;
          for (const [id, t] of submittedAt) {
            const served = offeredAt.get(id);
            if (served === undefined) expect(end - t, `${id} starved`).toBeLessThan(bound);
            else expect(served - t, id).toBeLessThanOrEqual(bound);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
