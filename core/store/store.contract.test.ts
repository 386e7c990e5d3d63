import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { waitFor, waitForHealth } from "../../test/harness/index.js";
import { createManualClock, type ManualClock } from "../clock.js";
import { ErrorCode, SwitchboardError } from "../errors.js";
import { createLogger } from "../log.js";
import {
  createMemoryStore,
  createRedisStore,
  type Fence,
  type Lease,
  type ReserveInput,
  type Store,
  type StoreCommonOptions,
  type TenantStore,
} from "./index.js";
import { createRedisHandle, type RedisHandle } from "./redis-connection.js";

// One contract, two implementations: every test below runs against memory and real Redis.
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

interface Backend {
  readonly store: Store;
  readonly clock: ManualClock;
  /** Lets a lease of `ttlMs` run out: the manual clock for memory, real time for Redis. */
  passLeaseTime(ttlMs: number): Promise<void>;
}

const backends: { name: string; make(options?: StoreCommonOptions): Backend }[] = [
  {
    name: "memory",
    make(options = {}) {
      const clock = createManualClock(1_000_000);
      return {
        store: createMemoryStore({ ...options, clock }),
        clock,
        passLeaseTime: async (ttlMs) => clock.advance(ttlMs),
      };
    },
  },
  {
    name: "redis",
    make(options = {}) {
      const clock = createManualClock(1_000_000);
      const keyPrefix = `test:${randomUUID()}:`;
      const client = redis!.client;
      return {
        store: createRedisStore({ ...options, client, logger, keyPrefix, clock }),
        clock,
        passLeaseTime: (ttlMs) => new Promise((resolve) => setTimeout(resolve, ttlMs)),
      };
    },
  },
];

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SwitchboardError);
  expect((error as SwitchboardError).code).toBe(code);
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe.each(backends)("store contract: $name", (backend) => {
  let b: Backend;
  let t: TenantStore;
  let lease: Lease;
  const setup = async (options: StoreCommonOptions = {}) => {
    b = backend.make(options);
    t = b.store.forTenant("acme");
    lease = (await t.leases.acquire("site-1", "router-a", 60_000))!;
  };
  const reserveInput = (overrides: Partial<ReserveInput> = {}): ReserveInput => ({
    contactId: "c1",
    agentId: "a1",
    offerId: `o-${randomUUID()}`,
    channel: "CHAT",
    weightMilli: 340,
    capacityMilli: 1000,
    expiresAtMs: b.clock.nowMs() + 30_000,
    fence: lease,
    ...overrides,
  });
  const loadOf = async (agentId: string) => (await t.agents.get(agentId)).load;

  describe("config", () => {
    it("stores opaque bytes with growing revisions and optimistic concurrency", async () => {
      await setup();
      const r1 = await t.config.put("agent", "a1", bytes("v1"), { expectedRevision: 0 });
      await rejectsWith(
        t.config.put("agent", "a1", bytes("x"), { expectedRevision: 0 }),
        ErrorCode.Aborted,
      );
      const r2 = await t.config.put("agent", "a1", bytes("v2"), { expectedRevision: r1 });
      expect(r2).toBeGreaterThan(r1);
      await rejectsWith(
        t.config.put("agent", "a1", bytes("x"), { expectedRevision: r1 }),
        ErrorCode.Aborted,
      );
      await t.config.put("queue", "a1", new Uint8Array([0, 255, 10, 13]));
      expect(await t.config.get("agent", "a1")).toEqual({
        kind: "agent",
        id: "a1",
        revision: r2,
        data: bytes("v2"),
      });
      expect((await t.config.get("queue", "a1"))?.data).toEqual(new Uint8Array([0, 255, 10, 13]));
      await t.config.put("agent", "a0", bytes("zero"));
      expect((await t.config.list("agent")).map((i) => i.id)).toEqual(["a0", "a1"]);
      expect(await t.config.list("rule")).toEqual([]);
    });

    it("deletes, and a re-created item never reuses a revision", async () => {
      await setup();
      const r1 = await t.config.put("rule", "r", bytes("1"));
      await rejectsWith(
        t.config.delete("rule", "r", { expectedRevision: r1 + 1 }),
        ErrorCode.Aborted,
      );
      expect(await t.config.delete("rule", "r", { expectedRevision: r1 })).toBe(true);
      expect(await t.config.delete("rule", "r")).toBe(false);
      expect(await t.config.get("rule", "r")).toBeUndefined();
      await rejectsWith(
        t.config.put("rule", "r", bytes("x"), { expectedRevision: r1 }),
        ErrorCode.Aborted,
      );
      expect(await t.config.put("rule", "r", bytes("2"))).toBeGreaterThan(r1);
    });
  });

  describe("agents", () => {
    it("keeps state with since-time; unknown agents are OFFLINE with no load", async () => {
      await setup();
      expect(await t.agents.get("nobody")).toEqual({
        agentId: "nobody",
        state: "OFFLINE",
        sinceMs: 0,
        load: { totalMilli: 0, byChannelMilli: {} },
      });
      await t.agents.setState("a2", "AVAILABLE", 5);
      await t.agents.setState("a1", "WRAP_UP", 7);
      expect((await t.agents.list()).map((a) => [a.agentId, a.state, a.sinceMs])).toEqual([
        ["a1", "WRAP_UP", 7],
        ["a2", "AVAILABLE", 5],
      ]);
      await rejectsWith(
        t.agents.setState("a1", "SLEEPING" as "AWAY", 1),
        ErrorCode.InvalidArgument,
      );
    });
  });

  describe("reservations", () => {
    it("reserves contact and capacity together and counts weighted load per channel", async () => {
      await setup();
      const first = await t.reservations.reserve(
        reserveInput({ channel: "EMAIL", weightMilli: 200 }),
      );
      const second = await t.reservations.reserve(reserveInput({ contactId: "c2" }));
      expect(first.ok && second.ok && second.version > first.version).toBe(true);
      expect(await loadOf("a1")).toEqual({
        totalMilli: 540,
        byChannelMilli: { EMAIL: 200, CHAT: 340 },
      });
      const active = await t.reservations.listActive();
      expect(active.map((r) => [r.contactId, r.state])).toEqual([
        ["c1", "RESERVED"],
        ["c2", "RESERVED"],
      ]);
      expect((await t.reservations.getForContact("c2"))?.offerId).toBe(active[1]?.offerId);
    });

    it("lists one agent's active reservations from its own index", async () => {
      await setup();
      const a = reserveInput({ contactId: "c1" });
      const b2 = reserveInput({ contactId: "c2", agentId: "a2" });
      const c = reserveInput({ contactId: "c3" });
      for (const input of [a, b2, c]) expect((await t.reservations.reserve(input)).ok).toBe(true);
      expect(await t.reservations.confirm(c.offerId, lease)).toEqual({ ok: true });
      const mine = await t.reservations.listActiveForAgent("a1");
      expect(mine.map((r) => [r.offerId, r.state])).toEqual([
        [a.offerId, "RESERVED"],
        [c.offerId, "CONFIRMED"],
      ]);
      expect(await t.reservations.release(a.offerId, lease)).toEqual({ ok: true });
      expect(await t.reservations.complete("c3", lease)).toEqual({ ok: true });
      expect(await t.reservations.listActiveForAgent("a1")).toEqual([]);
      expect((await t.reservations.listActiveForAgent("a2")).map((r) => r.offerId)).toEqual([
        b2.offerId,
      ]);
      expect(await t.reservations.listActiveForAgent("nobody")).toEqual([]);
      await rejectsWith(t.reservations.listActiveForAgent(""), ErrorCode.InvalidArgument);
    });

    it("refuses CONTACT_RESERVED, AGENT_FULL and a second voice call", async () => {
      await setup();
      expect((await t.reservations.reserve(reserveInput())).ok).toBe(true);
      expect(await t.reservations.reserve(reserveInput({ agentId: "a2" }))).toEqual({
        ok: false,
        reason: "CONTACT_RESERVED",
      });
      expect((await t.reservations.reserve(reserveInput({ contactId: "c2" }))).ok).toBe(true);
      // 3 × 340 = 1020 > 1000
      expect(await t.reservations.reserve(reserveInput({ contactId: "c3" }))).toEqual({
        ok: false,
        reason: "AGENT_FULL",
      });
      const voice = {
        agentId: "v",
        channel: "VOICE",
        weightMilli: 1000,
        capacityMilli: 5000,
      } as const;
      expect((await t.reservations.reserve(reserveInput({ ...voice, contactId: "c4" }))).ok).toBe(
        true,
      );
      expect(await t.reservations.reserve(reserveInput({ ...voice, contactId: "c5" }))).toEqual({
        ok: false,
        reason: "AGENT_FULL",
      });
      expect(await loadOf("a1")).toEqual({ totalMilli: 680, byChannelMilli: { CHAT: 680 } });
    });

    it("answers a retried reserve like the first call, without counting load twice", async () => {
      await setup();
      const input = reserveInput();
      const first = await t.reservations.reserve(input);
      expect(await t.reservations.reserve(input)).toEqual(first);
      expect((await loadOf("a1")).totalMilli).toBe(340);
      await rejectsWith(
        t.reservations.reserve({ ...input, agentId: "a2" }),
        ErrorCode.AlreadyExists,
      );
      await rejectsWith(
        t.reservations.reserve({ ...input, weightMilli: 0.5 }),
        ErrorCode.InvalidArgument,
      );
    });

    it("release frees capacity and contact, idempotently", async () => {
      await setup();
      const input = reserveInput();
      await t.reservations.reserve(input);
      expect(await t.reservations.release(input.offerId, lease)).toEqual({ ok: true });
      expect(await t.reservations.release(input.offerId, lease)).toEqual({ ok: true });
      expect((await loadOf("a1")).totalMilli).toBe(0);
      expect((await t.reservations.get(input.offerId))?.state).toBe("RELEASED");
      expect(await t.reservations.confirm(input.offerId, lease)).toEqual({
        ok: false,
        reason: "RELEASED",
      });
      expect((await t.reservations.reserve(reserveInput({ agentId: "a2" }))).ok).toBe(true);
      expect(await t.reservations.release("nope", lease)).toEqual({
        ok: false,
        reason: "NOT_FOUND",
      });
    });

    it("confirm keeps capacity until complete; both are idempotent", async () => {
      await setup();
      const input = reserveInput({ channel: "VOICE", weightMilli: 1000 });
      await t.reservations.reserve(input);
      expect(await t.reservations.complete("c1", lease)).toEqual({
        ok: false,
        reason: "NOT_CONFIRMED",
      });
      expect(await t.reservations.confirm(input.offerId, lease)).toEqual({ ok: true });
      expect(await t.reservations.confirm(input.offerId, lease)).toEqual({ ok: true });
      expect(await t.reservations.release(input.offerId, lease)).toEqual({
        ok: false,
        reason: "ALREADY_CONFIRMED",
      });
      b.clock.advance(31_000); // past expiresAtMs: a connected contact does not expire
      expect(await t.reservations.reserve(reserveInput({ agentId: "a2" }))).toEqual({
        ok: false,
        reason: "CONTACT_RESERVED",
      });
      expect((await loadOf("a1")).totalMilli).toBe(1000);
      expect(await t.reservations.complete("c1", lease)).toEqual({ ok: true });
      expect(await t.reservations.complete("c1", lease)).toEqual({ ok: true });
      expect(await loadOf("a1")).toEqual({ totalMilli: 0, byChannelMilli: {} });
      expect((await t.reservations.get(input.offerId))?.state).toBe("COMPLETED");
      expect(await t.reservations.listActive()).toEqual([]);
      expect(await t.reservations.complete("unknown", lease)).toEqual({
        ok: false,
        reason: "NOT_FOUND",
      });
    });

    it("an expired offer stops holding the contact and the agent", async () => {
      await setup();
      const input = reserveInput({
        channel: "VOICE",
        weightMilli: 1000,
        expiresAtMs: b.clock.nowMs() + 1000,
      });
      await t.reservations.reserve(input);
      b.clock.advance(1000);
      expect((await t.reservations.reserve(reserveInput({ agentId: "a2" }))).ok).toBe(true);
      expect((await loadOf("a1")).totalMilli).toBe(0);
      expect(await t.reservations.confirm(input.offerId, lease)).toEqual({
        ok: false,
        reason: "RELEASED",
      });
      // The agent's own expired offers are swept when it is reserved again.
      const other = reserveInput({
        contactId: "c9",
        agentId: "a3",
        expiresAtMs: b.clock.nowMs() + 10,
      });
      await t.reservations.reserve(other);
      b.clock.advance(10);
      expect(
        (
          await t.reservations.reserve(
            reserveInput({ contactId: "c8", agentId: "a3", capacityMilli: 340 }),
          )
        ).ok,
      ).toBe(true);
      expect((await t.reservations.get(other.offerId))?.state).toBe("RELEASED");
    });

    it("refuses every write with a token that lost the lease (STALE_TOKEN)", async () => {
      await setup();
      const old = (await t.leases.acquire("site-2", "router-old", 50))!;
      const input = reserveInput({ fence: old });
      expect((await t.reservations.reserve(input)).ok).toBe(true);
      await t.reservations.confirm(input.offerId, old);
      const fresh = await waitFor(
        async () => {
          const got = await t.leases.acquire("site-2", "router-new", 60_000);
          if (!got) {
            await b.passLeaseTime(50);
            throw new Error("lease still held");
          }
          return got;
        },
        { timeoutMs: 10_000, what: "the old lease to expire" },
      );
      expect(fresh.token).toBeGreaterThan(old.token);
      const stale = { ok: false, reason: "STALE_TOKEN" };
      expect(await t.reservations.reserve(reserveInput({ contactId: "c2", fence: old }))).toEqual(
        stale,
      );
      expect(await t.reservations.reserve(input)).toEqual(stale);
      expect(await t.reservations.release(input.offerId, old)).toEqual(stale);
      expect(await t.reservations.complete("c1", old)).toEqual(stale);
      const forged: Fence = { partition: "site-2", token: fresh.token + 1 };
      expect(await t.reservations.complete("c1", forged)).toEqual(stale);
      expect(await t.reservations.complete("c1", fresh)).toEqual({ ok: true });
    });

    it("parallel reserves: one contact gets one agent; one agent never passes capacity", async () => {
      await setup();
      const sameContact = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          t.reservations.reserve(reserveInput({ agentId: `p${i}` })),
        ),
      );
      expect(sameContact.filter((r) => r.ok)).toHaveLength(1);
      expect(sameContact.filter((r) => !r.ok && r.reason === "CONTACT_RESERVED")).toHaveLength(19);
      const sameAgent = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          t.reservations.reserve(
            reserveInput({ contactId: `x${i}`, agentId: "busy", weightMilli: 200 + (i % 3) * 70 }),
          ),
        ),
      );
      const load = await loadOf("busy");
      const active = (await t.reservations.listActive()).filter((r) => r.agentId === "busy");
      expect(load.totalMilli).toBeLessThanOrEqual(1000);
      expect(load.totalMilli).toBe(active.reduce((sum, r) => sum + r.weightMilli, 0));
      expect(active).toHaveLength(sameAgent.filter((r) => r.ok).length);
      expect(sameAgent.some((r) => !r.ok && r.reason === "AGENT_FULL")).toBe(true);
    });
  });

  describe("leases", () => {
    it("one holder per partition, fenced by a growing token", async () => {
      await setup();
      expect(await t.leases.acquire("site-1", "router-b", 60_000)).toBeNull();
      expect(await t.leases.acquire("site-1", "router-a", 60_000)).toEqual(lease);
      expect(await t.leases.renew(lease, 60_000)).toBe(true);
      expect(await t.leases.renew({ ...lease, token: lease.token + 1 }, 60_000)).toBe(false);
      expect(await t.leases.release({ ...lease, holderId: "router-b" })).toBe(false);
      expect(await t.leases.release(lease)).toBe(true);
      expect(await t.leases.renew(lease, 60_000)).toBe(false);
      const next = await t.leases.acquire("site-1", "router-b", 60_000);
      expect(next?.token).toBeGreaterThan(lease.token);
      expect((await t.reservations.reserve(reserveInput())).ok).toBe(false);
    });

    it("expires, so another holder can take over", async () => {
      await setup();
      const short = (await t.leases.acquire("site-3", "router-a", 40))!;
      const taken = await waitFor(
        async () => {
          const got = await t.leases.acquire("site-3", "router-b", 60_000);
          if (!got) {
            await b.passLeaseTime(40);
            throw new Error("still held");
          }
          return got;
        },
        { timeoutMs: 10_000, what: "the lease to expire" },
      );
      expect(taken.token).toBeGreaterThan(short.token);
      expect(await t.leases.renew(short, 60_000)).toBe(false);
    });
  });

  describe("snapshots", () => {
    it("keeps only the latest", async () => {
      await setup();
      expect(await t.snapshots.get("site-1")).toBeUndefined();
      expect(await t.snapshots.put("site-1", { seq: 5, data: bytes("five") })).toBe(true);
      expect(await t.snapshots.put("site-1", { seq: 4, data: bytes("four") })).toBe(false);
      expect(await t.snapshots.put("site-1", { seq: 7, data: new Uint8Array([0, 1]) })).toBe(true);
      expect(await t.snapshots.get("site-1")).toEqual({ seq: 7, data: new Uint8Array([0, 1]) });
    });
  });

  describe("contacts", () => {
    it("first idempotency claim wins until its TTL passes", async () => {
      await setup();
      expect(await t.contacts.claimIdempotencyKey("k1", "c1", 200)).toEqual({
        contactId: "c1",
        created: true,
      });
      expect(await t.contacts.claimIdempotencyKey("k1", "c2", 200)).toEqual({
        contactId: "c1",
        created: false,
      });
      expect((await t.contacts.claimIdempotencyKey("k2", "c2", 200)).created).toBe(true);
      await b.passLeaseTime(250);
      expect(await t.contacts.claimIdempotencyKey("k1", "c3", 200)).toEqual({
        contactId: "c3",
        created: true,
      });
      await rejectsWith(t.contacts.claimIdempotencyKey("", "c1", 200), ErrorCode.InvalidArgument);
      await rejectsWith(t.contacts.claimIdempotencyKey("k", "c1", 0), ErrorCode.InvalidArgument);
    });

    it("claims a submit's key and stores its provisional record in one step", async () => {
      await setup();
      expect(await t.contacts.claimSubmit("k1", "c1", 200, bytes("first"))).toEqual({
        contactId: "c1",
        created: true,
      });
      expect(await t.contacts.getRecord("c1")).toEqual({ record: bytes("first"), sequence: 0 });
      // A retry gets the first contact back and stores nothing under its own id.
      expect(await t.contacts.claimSubmit("k1", "c2", 200, bytes("retry"))).toEqual({
        contactId: "c1",
        created: false,
      });
      expect(await t.contacts.getRecord("c1")).toEqual({ record: bytes("first"), sequence: 0 });
      expect(await t.contacts.getRecord("c2")).toBeUndefined();
      // One key space with claimIdempotencyKey.
      expect((await t.contacts.claimIdempotencyKey("k1", "c3", 200)).contactId).toBe("c1");
      expect((await t.contacts.claimIdempotencyKey("k2", "c4", 200)).created).toBe(true);
      expect(await t.contacts.claimSubmit("k2", "c5", 200, bytes("late"))).toEqual({
        contactId: "c4",
        created: false,
      });
      expect(await t.contacts.getRecord("c5")).toBeUndefined();
      // A newer record is never rolled back by a provisional one.
      expect(await t.contacts.putRecord("c6", bytes("router"), 2)).toBe(true);
      expect((await t.contacts.claimSubmit("k3", "c6", 200, bytes("new"))).created).toBe(true);
      expect(await t.contacts.getRecord("c6")).toEqual({ record: bytes("router"), sequence: 2 });
      // Binary-safe, and the key is free again once its TTL passed.
      await b.passLeaseTime(250);
      const binary = new Uint8Array([0, 255, 13, 10]);
      expect(await t.contacts.claimSubmit("k1", "c7", 200, binary)).toEqual({
        contactId: "c7",
        created: true,
      });
      expect(await t.contacts.getRecord("c7")).toEqual({ record: binary, sequence: 0 });
      await rejectsWith(t.contacts.claimSubmit("", "c1", 200, binary), ErrorCode.InvalidArgument);
      await rejectsWith(t.contacts.claimSubmit("k", "", 200, binary), ErrorCode.InvalidArgument);
      await rejectsWith(t.contacts.claimSubmit("k", "c1", 0, binary), ErrorCode.InvalidArgument);
    });

    it("keeps the record with the highest sequence", async () => {
      await setup();
      expect(await t.contacts.getRecord("c1")).toBeUndefined();
      expect(await t.contacts.putRecord("c1", bytes("two"), 2)).toBe(true);
      expect(await t.contacts.putRecord("c1", bytes("one"), 1)).toBe(false);
      expect(await t.contacts.putRecord("c1", bytes("two again"), 2)).toBe(false);
      expect(await t.contacts.getRecord("c1")).toEqual({ record: bytes("two"), sequence: 2 });
      expect(await t.contacts.putRecord("c1", new Uint8Array([0, 255, 13]), 3)).toBe(true);
      expect(await t.contacts.getRecord("c1")).toEqual({
        record: new Uint8Array([0, 255, 13]),
        sequence: 3,
      });
      await rejectsWith(t.contacts.putRecord("c1", bytes("x"), -1), ErrorCode.InvalidArgument);
      await rejectsWith(t.contacts.putRecord("c1", bytes("x"), 1.5), ErrorCode.InvalidArgument);
    });

    it("keeps a transcript in order, each message once, the newest up to the limit", async () => {
      await setup({ transcriptLimit: 3 });
      expect(await t.contacts.listMessages("c1")).toEqual([]);
      expect(await t.contacts.appendMessage("c1", "m1", bytes("one"))).toBe(true);
      expect(await t.contacts.appendMessage("c1", "m2", new Uint8Array([0, 255]))).toBe(true);
      expect(await t.contacts.appendMessage("c1", "m1", bytes("one again"))).toBe(false);
      expect(await t.contacts.listMessages("c1")).toEqual([bytes("one"), new Uint8Array([0, 255])]);
      await t.contacts.appendMessage("c1", "m3", bytes("three"));
      await t.contacts.appendMessage("c1", "m4", bytes("four"));
      expect(await t.contacts.listMessages("c1")).toEqual([
        new Uint8Array([0, 255]),
        bytes("three"),
        bytes("four"),
      ]);
      expect(await t.contacts.listMessages("c2")).toEqual([]);
      await rejectsWith(t.contacts.appendMessage("c1", "", bytes("x")), ErrorCode.InvalidArgument);
    });
  });

  describe("channel state", () => {
    it("gets, puts, claims once and deletes per namespace", async () => {
      await setup();
      const s = t.channelState;
      expect(await s.get("email-thread", "<a@b>")).toBeUndefined();
      await s.put("email-thread", "<a@b>", "c1", 60_000);
      expect(await s.get("email-thread", "<a@b>")).toBe("c1");
      expect(await s.get("chat-session", "<a@b>")).toBeUndefined();
      expect(await s.claim("fault", "atm-1:paper", "c2", 60_000)).toEqual({
        value: "c2",
        created: true,
      });
      expect(await s.claim("fault", "atm-1:paper", "c3", 60_000)).toEqual({
        value: "c2",
        created: false,
      });
      expect(await s.delete("fault", "atm-1:paper")).toBe(true);
      expect(await s.delete("fault", "atm-1:paper")).toBe(false);
      expect((await s.claim("fault", "atm-1:paper", "c4", 60_000)).created).toBe(true);
      await rejectsWith(s.put("Bad NS", "k", "v", 1000), ErrorCode.InvalidArgument);
      await rejectsWith(s.put("ns", "k", "v", 0), ErrorCode.InvalidArgument);
      await rejectsWith(s.get("ns", ""), ErrorCode.InvalidArgument);
    });

    it("forgets a value after its time to live", async () => {
      await setup();
      await t.channelState.put("chat-session", "tok", "c1", 150);
      await b.passLeaseTime(200);
      b.clock.advance(200);
      expect(await t.channelState.get("chat-session", "tok")).toBeUndefined();
      expect((await t.channelState.claim("chat-session", "tok", "c2", 1000)).created).toBe(true);
    });
  });

  describe("tokens", () => {
    const hashA = "a".repeat(64);
    const hashB = "b".repeat(64);
    it("stores grants by token hash, globally", async () => {
      await setup();
      expect(await b.store.tokens.count()).toBe(0);
      expect(await b.store.tokens.get(hashA)).toBeUndefined();
      await b.store.tokens.put(hashA, { tenant: "acme", role: "admin" });
      await b.store.tokens.put(hashB, { tenant: "globex", role: "agent", agentId: "anna" });
      expect(await b.store.tokens.get(hashA)).toEqual({ tenant: "acme", role: "admin" });
      expect(await b.store.tokens.get(hashB)).toEqual({
        tenant: "globex",
        role: "agent",
        agentId: "anna",
      });
      expect(await b.store.tokens.count()).toBe(2);
      await b.store.tokens.put(hashA, { tenant: "acme", role: "platform" });
      expect((await b.store.tokens.get(hashA))?.role).toBe("platform");
      expect(await b.store.tokens.delete(hashA)).toBe(true);
      expect(await b.store.tokens.delete(hashA)).toBe(false);
      expect(await b.store.tokens.count()).toBe(1);
    });

    it("refuses malformed hashes and grants, naming every field", async () => {
      await setup();
      await rejectsWith(b.store.tokens.get("secret-token"), ErrorCode.InvalidArgument);
      await rejectsWith(b.store.tokens.get("A".repeat(64)), ErrorCode.InvalidArgument);
      const error = await b.store.tokens
        .put(hashA, { tenant: "a{b}", role: "root" as never, agentId: "x" })
        .catch((e: unknown) => e as SwitchboardError);
      expect(error).toBeInstanceOf(SwitchboardError);
      expect((error as SwitchboardError).violations.map((v) => v.field)).toEqual([
        "grant.tenant",
        "grant.role",
        "grant.agentId",
      ]);
      await rejectsWith(
        b.store.tokens.put(hashA, { tenant: "acme", role: "agent" }),
        ErrorCode.InvalidArgument,
      );
      await rejectsWith(
        b.store.tokens.put(hashA, { tenant: "acme", role: "admin", agentId: "anna" }),
        ErrorCode.InvalidArgument,
      );
      expect(await b.store.tokens.count()).toBe(0);
    });
  });

  describe("identity", () => {
    it("resolves identifiers to one customer, normalizing email and linking new ones", async () => {
      await setup();
      const first = await t.identity.resolve([{ kind: "email", value: " Ann@Example.COM " }]);
      expect(first.created).toBe(true);
      const again = await t.identity.resolve([
        { kind: "email", value: "ann@example.com" },
        { kind: "phone", value: "+441632960000" },
      ]);
      expect(again).toEqual({ customerId: first.customerId, created: false, mergedIds: [] });
      const byPhone = await t.identity.resolve([{ kind: "phone", value: "+441632960000" }]);
      expect(byPhone.customerId).toBe(first.customerId);
      await rejectsWith(
        t.identity.resolve([{ kind: "phone", value: "01632 960000" }]),
        ErrorCode.InvalidArgument,
      );
    });

    it("merges two customers into the older one, history and identifiers included", async () => {
      await setup();
      const older = await t.identity.resolve([{ kind: "phone", value: "+15550001111" }]);
      b.clock.advance(5);
      const newer = await t.identity.resolve([{ kind: "webSession", value: "sess-1" }]);
      const entry = { channel: "CHAT", queueId: "q", outcome: "resolved" } as const;
      await t.history.recordCompletion(
        newer.customerId,
        { ...entry, contactId: "k1", agentId: "ag1", completedAtMs: 10 },
        { openCase: { caseId: "case-9", ownerAgentId: "ag1" } },
      );
      await t.history.recordCompletion(older.customerId, {
        ...entry,
        contactId: "k2",
        agentId: "ag2",
        completedAtMs: 20,
      });
      const merged = await t.identity.resolve([
        { kind: "webSession", value: "sess-1" },
        { kind: "phone", value: "+15550001111" },
      ]);
      expect(merged).toEqual({
        customerId: older.customerId,
        created: false,
        mergedIds: [newer.customerId],
      });
      expect((await t.identity.resolve([{ kind: "webSession", value: "sess-1" }])).customerId).toBe(
        older.customerId,
      );
      const history = await t.history.getHistory(newer.customerId);
      expect(history.customerId).toBe(older.customerId);
      expect(history.contacts.map((c) => c.contactId)).toEqual(["k2", "k1"]);
      expect(history.lastAgents).toEqual([
        { agentId: "ag2", lastContactMs: 20 },
        { agentId: "ag1", lastContactMs: 10 },
      ]);
      expect(history.openCase).toEqual({ caseId: "case-9", ownerAgentId: "ag1" });
    });
  });

  describe("history", () => {
    it("is bounded, newest first, idempotent per contact, with last agents and open case", async () => {
      await setup({ historyLimit: 3, lastAgentsLimit: 2 });
      const { customerId } = await t.identity.resolve([{ kind: "kioskCard", value: "card-1" }]);
      expect(await t.history.getHistory(customerId)).toEqual({
        customerId,
        contacts: [],
        lastAgents: [],
      });
      for (let i = 1; i <= 5; i++) {
        await t.history.recordCompletion(
          customerId,
          {
            contactId: `k${i}`,
            channel: "VOICE",
            queueId: "q",
            agentId: `ag${i % 3}`,
            outcome: "resolved",
            completedAtMs: i * 100,
            csat: 4,
          },
          i === 2 ? { openCase: { caseId: "c", ownerAgentId: "ag2" } } : {},
        );
      }
      await t.history.recordCompletion(customerId, {
        contactId: "k5",
        channel: "VOICE",
        queueId: "q",
        agentId: "ag2",
        outcome: "resolved",
        completedAtMs: 500,
        csat: 5,
      });
      const history = await t.history.getHistory(customerId);
      expect(history.contacts.map((c) => [c.contactId, c.csat])).toEqual([
        ["k5", 5],
        ["k4", 4],
        ["k3", 4],
      ]);
      expect(history.contacts[0]).toEqual({
        contactId: "k5",
        channel: "VOICE",
        queueId: "q",
        agentId: "ag2",
        outcome: "resolved",
        completedAtMs: 500,
        csat: 5,
      });
      expect(history.lastAgents).toEqual([
        { agentId: "ag2", lastContactMs: 500 },
        { agentId: "ag1", lastContactMs: 400 },
      ]);
      expect(history.openCase).toEqual({ caseId: "c", ownerAgentId: "ag2" });
      await t.history.recordCompletion(
        customerId,
        {
          contactId: "k6",
          channel: "EMAIL",
          queueId: "q",
          agentId: "ag1",
          outcome: "closed",
          completedAtMs: 600,
        },
        { openCase: null },
      );
      expect((await t.history.getHistory(customerId)).openCase).toBeUndefined();
    });
  });

  describe("resolveWithHistory", () => {
    it("is resolve and then getHistory in one call: new, known, and merging customers", async () => {
      await setup();
      const fresh = await t.identity.resolveWithHistory([{ kind: "phone", value: "+15550002222" }]);
      expect(fresh).toEqual({
        customerId: expect.any(String),
        created: true,
        mergedIds: [],
        history: { customerId: fresh.customerId, contacts: [], lastAgents: [] },
      });
      const entry = (contactId: string, agentId: string, completedAtMs: number) => ({
        contactId,
        channel: "VOICE" as const,
        queueId: "q",
        agentId,
        outcome: "resolved",
        completedAtMs,
      });
      await t.history.recordCompletion(fresh.customerId, entry("p1", "ag1", 100), {
        openCase: { caseId: "case-1", ownerAgentId: "ag1" },
      });
      const known = await t.identity.resolveWithHistory([{ kind: "phone", value: "+15550002222" }]);
      expect(known).toEqual({
        customerId: fresh.customerId,
        created: false,
        mergedIds: [],
        history: await t.history.getHistory(fresh.customerId),
      });
      expect(known.history.openCase).toEqual({ caseId: "case-1", ownerAgentId: "ag1" });
      // A newer customer with its own history, then one contact carrying both identifiers.
      const other = await t.identity.resolve([{ kind: "email", value: "pat@example.com" }]);
      await t.history.recordCompletion(other.customerId, entry("e1", "ag2", 200));
      const both = await t.identity.resolveWithHistory([
        { kind: "email", value: "pat@example.com" },
        { kind: "phone", value: "+15550002222" },
      ]);
      expect(both.customerId).toBe(fresh.customerId);
      expect(both.mergedIds).toEqual([other.customerId]);
      expect(both.history).toEqual(await t.history.getHistory(fresh.customerId));
      expect(both.history.contacts.map((c) => c.contactId)).toEqual(["e1", "p1"]);
      await expect(
        t.identity.resolveWithHistory([{ kind: "phone", value: "0123" }]),
      ).rejects.toThrow(/E\.164/);
    });
  });

  describe("tenants", () => {
    it("never see each other's data", async () => {
      await setup();
      const other = b.store.forTenant("globex");
      await t.config.put("agent", "a1", bytes("acme"));
      expect(await other.config.get("agent", "a1")).toBeUndefined();
      // acme's lease is no fence in globex, and does not block globex's own lease.
      expect(await other.reservations.reserve(reserveInput())).toEqual({
        ok: false,
        reason: "STALE_TOKEN",
      });
      const otherLease = (await other.leases.acquire("site-1", "router-z", 60_000))!;
      expect(otherLease).not.toBeNull();
      expect((await t.reservations.reserve(reserveInput())).ok).toBe(true);
      expect(await other.reservations.getForContact("c1")).toBeUndefined();
      expect((await other.agents.get("a1")).load.totalMilli).toBe(0);
      expect((await other.reservations.reserve(reserveInput({ fence: otherLease }))).ok).toBe(true);
      expect((await t.agents.get("a1")).load.totalMilli).toBe(340);
      const mine = await t.identity.resolve([{ kind: "email", value: "x@y.z" }]);
      const theirs = await other.identity.resolve([{ kind: "email", value: "x@y.z" }]);
      expect(theirs.customerId).not.toBe(mine.customerId);
      await t.contacts.claimIdempotencyKey("k1", "c1", 60_000);
      expect((await other.contacts.claimIdempotencyKey("k1", "c2", 60_000)).created).toBe(true);
      await t.contacts.putRecord("c1", bytes("acme"), 1);
      expect(await other.contacts.getRecord("c1")).toBeUndefined();
      expect(() => b.store.forTenant("a{b}")).toThrow(SwitchboardError);
    });
  });
});
