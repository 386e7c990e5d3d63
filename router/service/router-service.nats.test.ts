import { timestampMs } from "@bufbuild/protobuf/wkt";
import { afterEach, describe, expect, inject, it } from "vitest";
import {
  type Bus,
  createJetStreamBus,
  createLogger,
  createNatsHandle,
  createRedisHandle,
  createRedisStore,
  type Store,
  systemClock,
} from "../../core/index.js";
import { Channel, ContactEventType as T } from "../../proto/index.js";
import { externalNatsUrl, startNats, startRedis } from "../../test/harness/index.js";
import { type Router, startRouter } from "./router-service.js";
import {
  autoAgents,
  connected,
  createTestGateway,
  eventually,
  type TestGateway,
} from "./test-kit.js";

const logger = createLogger({ level: (process.env.RS_LOG as "info") ?? "silent" });
const tenant = "acme";
const clock = systemClock;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});
let runs = 0;

interface Backends {
  readonly bus: Bus;
  readonly store: Store;
  /** Drops the connections, as a crashed process would. */
  close(): Promise<void>;
}

/** One process's connections: each router gets its own, like separate processes. */
async function connect(natsUrl: string, redisUrl: string, prefix: string): Promise<Backends> {
  const nats = createNatsHandle({ url: natsUrl, logger });
  const redis = createRedisHandle({ url: redisUrl, logger, maxReconnectDelayMs: 300 });
  const bus = createJetStreamBus({
    logger,
    connection: await nats.connected,
    streamPrefix: `${prefix}_`,
    subjectRoot: prefix,
    publishTimeoutMs: 1000,
  });
  await bus.ensureStreams();
  const store = createRedisStore({
    client: redis.client,
    logger,
    keyPrefix: `${prefix}:`,
    callTimeoutMs: 1000,
  });
  const backends = {
    bus,
    store,
    async close() {
      await bus.close().catch(() => undefined);
      await store.close();
      await nats.close();
      await redis.close();
    },
  };
  cleanups.push(() => backends.close());
  return backends;
}

async function router(b: Backends, extra: { leaseTtlMs?: number } = {}): Promise<Router> {
  const r = await startRouter({
    bus: b.bus,
    store: b.store,
    logger,
    tenants: [tenant],
    leaseTtlMs: extra.leaseTtlMs ?? 1500,
    tickIntervalMs: 50,
    snapshotIntervalMs: 200,
    maxRetryDelayMs: 300,
  });
  cleanups.push(() => r.stop());
  return r;
}

/** A gateway whose agents accept and complete everything, and `agents` connected agents. */
async function gatewayWithAgents(b: Backends, agents: number, thinkMs = 0): Promise<TestGateway> {
  let gw: TestGateway | undefined;
  gw = await createTestGateway(
    b.bus,
    b.store,
    tenant,
    clock,
    autoAgents(() => gw as TestGateway, thinkMs),
  );
  cleanups.push(() => (gw as TestGateway).close());
  for (let i = 0; i < agents; i++) {
    await gw.addAgent(`a${i}`, { channels: [Channel.CHAT] });
    await gw.agent(`a${i}`, connected(), `login-a${i}`);
  }
  return gw;
}

/** Retries through an outage with the same idempotency key, as a gateway client would. */
async function submitAll(gw: TestGateway, ids: readonly string[]): Promise<void> {
  for (const id of ids)
    await eventually(
      () =>
        gw.submit(id, {
          channel: Channel.CHAT,
          customer: { identifiers: { email: `${id}@example.com` } },
        }),
      20_000,
    );
}

function expectEachCompletedOnce(gw: TestGateway, ids: readonly string[]): void {
  for (const id of ids) {
    const types = gw.eventsOf(id);
    const detail = gw.events
      .filter((e) => e.contactId === id)
      .map(
        (e) =>
          `${e.sequence}:${e.type}:${e.agentId}:${e.offerId}:${e.reason}:${e.time ? timestampMs(e.time) % 100000 : 0}`,
      )
      .join(" ");
    expect(types.filter((t) => t === T.COMPLETED).length, `${id}: ${detail}`).toBe(1);
    expect(types.filter((t) => t === T.ACCEPTED).length, `${id}: ${detail}`).toBe(1);
  }
  // Sequences per contact are 1..n without gaps or repeats.
  for (const id of ids) {
    const seqs = gw.events
      .filter((e) => e.contactId === id)
      .map((e) => Number(e.sequence))
      .sort((a, b) => a - b);
    expect(seqs, id).toEqual(seqs.map((_, i) => i + 1));
  }
}

const ids = (prefix: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe("router service on JetStream + Redis", () => {
  it("routes contacts end to end with fake agents accepting and completing", async () => {
    const b = await connect(
      inject("natsUrl"),
      inject("redisUrl"),
      `RS${++runs}${Date.now() % 100000}`,
    );
    await router(b);
    const gw = await gatewayWithAgents(b, 4);
    const contacts = ids("c", 30);
    await submitAll(gw, contacts);
    await eventually(
      () => expect(gw.events.filter((e) => e.type === T.COMPLETED)).toHaveLength(30),
      15_000,
    );
    expectEachCompletedOnce(gw, contacts);
  });

  it("a killed leader's standby takes over from snapshot + replay: nothing lost, nothing offered twice", async () => {
    const prefix = `RK${++runs}${Date.now() % 100000}`;
    const natsUrl = inject("natsUrl");
    const redisUrl = inject("redisUrl");
    const first = await connect(natsUrl, redisUrl, prefix);
    const second = await connect(natsUrl, redisUrl, prefix);
    const leader = await router(first);
    const standby = await router(second);
    expect(leader.leading()).toEqual([tenant]);
    expect(standby.leading()).toEqual([]);
    const gwBackends = await connect(natsUrl, redisUrl, prefix);
    // Replay reproduces the leader's decisions from the commands' timestamps (ms), so agents
    // answer after a few ms as real desktops do, rather than within the same millisecond.
    const gw = await gatewayWithAgents(gwBackends, 4, 5);
    const before = ids("k", 20);
    await submitAll(gw, before);
    await eventually(
      () => expect(gw.events.filter((e) => e.type === T.COMPLETED).length).toBeGreaterThan(5),
      10_000,
    );
    // Crash: no drain, no snapshot, no lease release; its connections just go away.
    await leader.abort();
    await first.close();
    const after = ids("m", 20);
    const killedAtMs = Date.now();
    await submitAll(gw, after);
    await eventually(() => expect(standby.leading()).toEqual([tenant]), 5000);
    expect(Date.now() - killedAtMs).toBeLessThan(5000);
    await eventually(
      () =>
        expect(gw.events.filter((e) => e.type === T.COMPLETED).length).toBeGreaterThanOrEqual(40),
      20_000,
    );
    expectEachCompletedOnce(gw, [...before, ...after]);
    // Never two live reservations for one contact: each contact was offered to one agent.
    const offeredTo = new Map<string, Set<string>>();
    for (const [agentId, list] of gw.offers)
      for (const o of list)
        offeredTo.set(
          o.contact?.id ?? "",
          (offeredTo.get(o.contact?.id ?? "") ?? new Set()).add(agentId),
        );
    for (const [contactId, agents] of offeredTo) expect(agents.size, contactId).toBe(1);
  });

  it("a router that lost its lease cannot commit: the store refuses it and it steps down", async () => {
    const prefix = `RF${++runs}${Date.now() % 100000}`;
    const a = await connect(inject("natsUrl"), inject("redisUrl"), prefix);
    const b = await connect(inject("natsUrl"), inject("redisUrl"), prefix);
    // Router A believes every renewal succeeds (a paused process waking up), so it never steps
    // down by itself; its lease expires and B takes the partition. A keeps its own consumers,
    // so both routers see every command, as two routers started by mistake would.
    const lying: Store = {
      close: () => a.store.close(),
      tokens: a.store.tokens,
      forTenant(t) {
        const real = a.store.forTenant(t);
        return { ...real, leases: { ...real.leases, renew: async () => true } };
      },
    };
    const routerA = await startRouter({
      bus: a.bus,
      store: lying,
      logger,
      tenants: [tenant],
      leaseTtlMs: 600,
      tickIntervalMs: 50,
      consumerPrefix: "mistaken",
    });
    cleanups.push(() => routerA.abort());
    expect(routerA.leading()).toEqual([tenant]);
    await new Promise((r) => setTimeout(r, 700));
    const routerB = await router(b, { leaseTtlMs: 600 });
    await eventually(() => expect(routerB.leading()).toEqual([tenant]), 3000);
    const gw = await gatewayWithAgents(b, 3);
    const contacts = ids("f", 10);
    await submitAll(gw, contacts);
    await eventually(
      () => expect(gw.events.filter((e) => e.type === T.COMPLETED)).toHaveLength(10),
      15_000,
    );
    expectEachCompletedOnce(gw, contacts);
    await eventually(() => expect(routerA.leading()).toEqual([]), 5000);
  });

  it.skipIf(externalNatsUrl() !== undefined)(
    "recovers by itself from a NATS restart and a Redis restart mid-run",
    async () => {
      await using nats = await startNats();
      await using redis = await startRedis();
      const b = await connect(nats.url, redis.url, "RR");
      await router(b);
      const gw = await gatewayWithAgents(b, 4);
      await submitAll(gw, ids("n", 10));
      await nats.restart();
      await submitAll(gw, ids("o", 10));
      await redis.restart();
      await submitAll(gw, ids("p", 10));
      await eventually(
        () => expect(gw.events.filter((e) => e.type === T.COMPLETED)).toHaveLength(30),
        30_000,
      );
      expectEachCompletedOnce(gw, [...ids("n", 10), ...ids("o", 10), ...ids("p", 10)]);
      // Stop everything while the private servers still run (they go with the test's scope).
      for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
    },
    60_000,
  );
});
