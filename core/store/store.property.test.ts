import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { waitForHealth } from "../../test/harness/index.js";
import { createManualClock, type ManualClock } from "../clock.js";
import { ErrorCode, SwitchboardError } from "../errors.js";
import { createLogger } from "../log.js";
import {
  type Channel,
  createMemoryStore,
  createRedisStore,
  type Fence,
  type TenantStore,
} from "./index.js";
import { createRedisHandle, type RedisHandle } from "./redis-connection.js";

/*
 * Random sequences of reserve/release/confirm/complete with good and bad tokens, on a few
 * contacts and agents so they collide often. After every step the reservation invariants must
 * hold; on Redis every step must also answer exactly like the memory store (no drift).
 */
const logger = createLogger({ level: "silent" });
let redis: RedisHandle | undefined;
beforeAll(async () => {
  redis = createRedisHandle({ url: inject("redisUrl"), logger });
  // Without an offline queue, calls before the first connect fail at once (UNAVAILABLE).
  await waitForHealth(redis.health, "up");
});
afterAll(async () => {
  await redis?.close();
});

const capacityMilli: Record<string, number> = { a0: 1000, a1: 1000, a2: 2000 };
const weights: Record<Channel, number> = { VOICE: 1000, CHAT: 340, EMAIL: 200, KIOSK: 500 };
const contact = fc.constantFrom("c0", "c1", "c2", "c3");
// Picks one of the offers made so far (newest most likely), so retries and replies hit real offers.
const offer = fc.nat({ max: 7 });
// good: the live lease; stale: a token never issued to us; foreign: a partition with no lease.
const token = fc.constantFrom("good", "good", "good", "stale", "foreign");
const command = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("reserve" as const),
      contact,
      agent: fc.constantFrom("a0", "a1", "a2"),
      // Mostly a new offer; sometimes a retry of (or a clash with) an earlier one.
      retry: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: offer }),
      channel: fc.constantFrom<Channel>("VOICE", "CHAT", "EMAIL", "KIOSK"),
      expiresInMs: fc.integer({ min: 1, max: 60_000 }),
      token,
    }),
  },
  fc.record({ op: fc.constantFrom("release" as const, "confirm" as const), offer, token }),
  fc.record({ op: fc.constant("complete" as const), contact, token }),
  fc.record({ op: fc.constant("advance" as const), byMs: fc.integer({ min: 0, max: 40_000 }) }),
);
type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;

interface Subject {
  readonly tenant: TenantStore;
  readonly clock: ManualClock;
  readonly fences: Record<"good" | "stale" | "foreign", Fence>;
  offers: number;
}

async function subject(make: (clock: ManualClock) => TenantStore): Promise<Subject> {
  const clock = createManualClock(1_000_000);
  const tenant = make(clock);
  // Long enough for a whole run on either clock; lease expiry has its own tests.
  const lease = (await tenant.leases.acquire("p", "router", 3_600_000))!;
  const fences = {
    good: lease,
    stale: { partition: "p", token: lease.token + 1 },
    foreign: { partition: "q", token: lease.token },
  };
  return { tenant, clock, fences, offers: 0 };
}

const earlier = (s: Subject, back: number): string => `o${Math.max(0, s.offers - 1 - back)}`;

async function apply(s: Subject, c: Command): Promise<unknown> {
  const r = s.tenant.reservations;
  switch (c.op) {
    case "advance":
      s.clock.advance(c.byMs);
      return undefined;
    case "reserve":
      return r
        .reserve({
          contactId: c.contact,
          agentId: c.agent,
          offerId: c.retry === null ? `o${s.offers++}` : earlier(s, c.retry),
          channel: c.channel,
          weightMilli: weights[c.channel],
          capacityMilli: capacityMilli[c.agent] ?? 0,
          expiresAtMs: s.clock.nowMs() + c.expiresInMs,
          fence: s.fences[c.token],
        })
        .catch((error: unknown) => {
          // Reusing an offer id for another reservation is refused as a caller bug.
          if (error instanceof SwitchboardError && error.code === ErrorCode.AlreadyExists)
            return "conflict";
          throw error;
        });
    case "release":
      return r.release(earlier(s, c.offer), s.fences[c.token]);
    case "confirm":
      return r.confirm(earlier(s, c.offer), s.fences[c.token]);
    case "complete":
      return r.complete(c.contact, s.fences[c.token]);
  }
}

async function checkInvariants(s: Subject): Promise<void> {
  const active = await s.tenant.reservations.listActive();
  const contacts = active.map((o) => o.contactId);
  expect(new Set(contacts).size, "a contact with two live reservations").toBe(contacts.length);
  for (const agentId of Object.keys(capacityMilli)) {
    const { load } = await s.tenant.agents.get(agentId);
    const mine = active.filter((o) => o.agentId === agentId);
    expect(load.totalMilli).toBe(mine.reduce((sum, o) => sum + o.weightMilli, 0));
    expect(load.totalMilli).toBeLessThanOrEqual(capacityMilli[agentId] ?? 0);
    expect(mine.filter((o) => o.channel === "VOICE").length).toBeLessThanOrEqual(1);
    for (const channel of Object.keys(weights) as Channel[]) {
      const sum = mine.filter((o) => o.channel === channel).reduce((t, o) => t + o.weightMilli, 0);
      expect(load.byChannelMilli[channel] ?? 0).toBe(sum);
    }
  }
}

const memoryTenant = (clock: ManualClock) => createMemoryStore({ clock }).forTenant("t");

describe("reservation invariants (property)", () => {
  it("memory: hold after any sequence", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 20, maxLength: 60 }), async (commands) => {
        const s = await subject(memoryTenant);
        for (const c of commands) {
          await apply(s, c);
          await checkInvariants(s);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("redis: hold after any sequence, and every answer equals the memory store's", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 20, maxLength: 40 }), async (commands) => {
        const keyPrefix = `prop:${randomUUID()}:`;
        const s = await subject((clock) =>
          createRedisStore({ client: redis!.client, logger, keyPrefix, clock }).forTenant("t"),
        );
        const shadow = await subject(memoryTenant);
        for (const c of commands) {
          expect(await apply(s, c)).toEqual(await apply(shadow, c));
          await checkInvariants(s);
        }
        expect(await s.tenant.reservations.listActive()).toEqual(
          await shadow.tenant.reservations.listActive(),
        );
      }),
      { numRuns: 100 },
    );
  });
});
