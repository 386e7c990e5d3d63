import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { waitForHealth } from "../../../test/harness/index.js";
import { createManualClock, type ManualClock } from "../../clock.js";
import { createLogger } from "../../log.js";
import {
  createMemoryStore,
  createRedisStore,
  type Lease,
  type ReserveInput,
  type TenantStore,
} from "../index.js";
import { createRedisHandle, type RedisHandle } from "../redis-connection.js";

// ReservationStore.apply: the batch twin of the single calls, on memory and on real Redis.
const logger = createLogger({ level: "silent" });
let redis: RedisHandle | undefined;
beforeAll(async () => {
  redis = createRedisHandle({ url: inject("redisUrl"), logger });
  await waitForHealth(redis.health, "up");
});
afterAll(async () => {
  await redis?.close();
});

const backends = [
  {
    name: "memory",
    make: (clock: ManualClock) => createMemoryStore({ clock }),
  },
  {
    name: "redis",
    make: (clock: ManualClock) =>
      createRedisStore({
        client: redis!.client,
        logger,
        keyPrefix: `test:${randomUUID()}:`,
        clock,
      }),
  },
];

describe.each(backends)("reservation batches: $name", (backend) => {
  let clock: ManualClock;
  let t: TenantStore;
  let lease: Lease;
  const setup = async () => {
    clock = createManualClock(1_000_000);
    t = backend.make(clock).forTenant("acme");
    lease = (await t.leases.acquire("site-1", "router-a", 60_000))!;
  };
  const input = (overrides: Partial<ReserveInput> = {}): Omit<ReserveInput, "fence"> => ({
    contactId: "c1",
    agentId: "a1",
    offerId: `o-${randomUUID()}`,
    channel: "CHAT",
    weightMilli: 400,
    capacityMilli: 1000,
    expiresAtMs: clock.nowMs() + 30_000,
    ...overrides,
  });
  const loadOf = async (agentId: string) => (await t.agents.get(agentId)).load.totalMilli;

  it("applies ops in order, each answering as its single call would", async () => {
    await setup();
    const o1 = input({ contactId: "c1" });
    const o2 = input({ contactId: "c2" });
    const results = await t.reservations.apply(
      [
        { kind: "reserve", input: o1 },
        { kind: "reserve", input: o2 },
        // Full: 400 + 400 + 400 > 1000.
        { kind: "reserve", input: input({ contactId: "c3" }) },
        { kind: "reserve", input: input({ contactId: "c1", agentId: "a2" }) },
        { kind: "release", offerId: o2.offerId },
        // Room again once o2 was released, in the same batch.
        { kind: "reserve", input: input({ contactId: "c4" }) },
        { kind: "confirm", offerId: o1.offerId },
        { kind: "complete", contactId: "c1" },
        { kind: "release", offerId: "o-nothing" },
        // Same offerId, other inputs: a conflict, not an exception.
        { kind: "reserve", input: { ...o1, agentId: "a9" } },
      ],
      lease,
    );
    expect(results.map((r) => (r.ok ? "OK" : r.reason))).toEqual([
      "OK",
      "OK",
      "AGENT_FULL",
      "CONTACT_RESERVED",
      "OK",
      "OK",
      "OK",
      "OK",
      "NOT_FOUND",
      "OFFER_CONFLICT",
    ]);
    const [first, second] = results;
    expect(first).toEqual({ ok: true, version: expect.any(Number), created: true });
    expect(second).toEqual({ ok: true, version: expect.any(Number), created: true });
    expect(await loadOf("a1")).toBe(400);
    // A retry of the same reserve answers as the first did, but says it found it.
    const again = await t.reservations.apply([{ kind: "reserve", input: o1 }], lease);
    expect(again).toEqual([{ ...first, created: false }]);
  });

  it("refuses the whole batch with a stale fence, writing nothing", async () => {
    await setup();
    const stale = { partition: lease.partition, token: lease.token + 1 };
    const results = await t.reservations.apply(
      [
        { kind: "reserve", input: input() },
        { kind: "complete", contactId: "c1" },
      ],
      stale,
    );
    expect(results).toEqual([
      { ok: false, reason: "STALE_TOKEN" },
      { ok: false, reason: "STALE_TOKEN" },
    ]);
    expect(await loadOf("a1")).toBe(0);
    expect(await t.reservations.apply([], lease)).toEqual([]);
  });

  it("confirmLive confirms a live offer past its expiry, and takes back one the store let go", async () => {
    await setup();
    const late = input({ contactId: "c1", weightMilli: 300, expiresAtMs: clock.nowMs() + 1_000 });
    const gone = input({ contactId: "c2", weightMilli: 300, expiresAtMs: clock.nowMs() + 1_000 });
    await t.reservations.apply(
      [
        { kind: "reserve", input: late },
        { kind: "reserve", input: gone },
      ],
      lease,
    );
    clock.advance(2_000);
    // Touching the agent expires both in the store; `late` is vouched for before that.
    const results = await t.reservations.apply(
      [
        { kind: "confirmLive", input: late },
        { kind: "reserve", input: input({ contactId: "c3", weightMilli: 300 }) },
        { kind: "confirmLive", input: gone },
      ],
      lease,
    );
    expect(results.map((r) => (r.ok ? "OK" : r.reason))).toEqual(["OK", "OK", "OK"]);
    expect((await t.reservations.get(late.offerId))?.state).toBe("CONFIRMED");
    expect((await t.reservations.get(gone.offerId))?.state).toBe("CONFIRMED");
    expect(await loadOf("a1")).toBe(900);
  });

  it("confirmLive never breaks the store's guarantees: a taken contact or a full agent refuses", async () => {
    await setup();
    const mine = input({ contactId: "c1", expiresAtMs: clock.nowMs() + 1_000 });
    await t.reservations.apply([{ kind: "reserve", input: mine }], lease);
    clock.advance(2_000);
    const other = input({ contactId: "c1", agentId: "a2" });
    const fill = input({ contactId: "c5", weightMilli: 1000 });
    const results = await t.reservations.apply(
      [
        { kind: "reserve", input: other },
        { kind: "confirmLive", input: mine },
        { kind: "release", offerId: other.offerId },
        { kind: "reserve", input: fill },
        { kind: "confirmLive", input: mine },
      ],
      lease,
    );
    expect(results.map((r) => (r.ok ? "OK" : r.reason))).toEqual([
      "OK",
      "CONTACT_RESERVED",
      "OK",
      "OK",
      "AGENT_FULL",
    ]);
    expect(await loadOf("a1")).toBe(1000);
  });
});
