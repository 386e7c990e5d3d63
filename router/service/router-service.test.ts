import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { afterEach, describe, expect, it } from "vitest";
import {
  type Bus,
  configSubject,
  createLogger,
  createMemoryBus,
  createMemoryStore,
  decodeContactRecord,
  encodeQueue,
  type Store,
  systemClock,
} from "../../core/index.js";
import {
  AcceptOfferSchema,
  AgentDisconnectedSchema,
  CompleteContactSchema,
  QueueSchema,
  ContactEventType as T,
} from "../../proto/index.js";
import { nextSnapshotDueMs } from "./partition-leader.js";
import { type Router, startRouter } from "./router-service.js";
import { connected, createTestGateway, eventually, type TestGateway } from "./test-kit.js";

const logger = createLogger({ level: "silent" });
const tenant = "acme";
const clock = systemClock;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  routerCount = 1,
): Promise<{ bus: Bus; store: Store; gw: TestGateway; routers: Router[] }> {
  const bus = createMemoryBus({ logger, subjectRoot: "rt" });
  await bus.ensureStreams();
  const store = createMemoryStore();
  const gw = await createTestGateway(bus, store, tenant, clock);
  const routers: Router[] = [];
  for (let i = 0; i < routerCount; i++) {
    routers.push(
      await startRouter({
        bus,
        store,
        logger,
        tenants: [tenant],
        leaseTtlMs: 600,
        tickIntervalMs: 20,
        snapshotIntervalMs: 100,
      }),
    );
  }
  cleanups.push(async () => {
    await gw.close();
    for (const r of routers) await r.stop();
    await bus.close();
  });
  return { bus, store, gw, routers };
}

const complete = (contactId: string) => ({
  case: "completeContact" as const,
  value: create(CompleteContactSchema, {
    contactId,
    disposition: { code: "resolved", resolved: true },
  }),
});

describe("router service on memory backends", () => {
  it("routes a contact: submit → queued → offered → accept → complete, with records and history", async () => {
    const { store, gw } = await setup();
    await gw.addAgent("anna");
    await gw.submit("c1");
    await eventually(() => expect(gw.eventsOf("c1")).toEqual([T.CREATED, T.QUEUED]));
    const queued = gw.events.find((e) => e.type === T.QUEUED);
    expect(queued?.position).toBe(1);
    expect(queued?.expectedWait).toBeDefined();

    await gw.agent("anna", connected());
    await eventually(() => expect(gw.offers.get("anna")).toHaveLength(1));
    const offer = gw.offers.get("anna")?.[0];
    expect(offer?.contact?.id).toBe("c1");
    expect(offer?.decision?.agentId).toBe("anna");
    await gw.agent("anna", {
      case: "acceptOffer",
      value: create(AcceptOfferSchema, { offerId: offer?.offerId ?? "" }),
    });
    await eventually(() => expect(gw.eventsOf("c1")).toContain(T.CONNECTED));
    const t = store.forTenant(tenant);
    expect((await t.reservations.getForContact("c1"))?.state).toBe("CONFIRMED");

    await gw.agent("anna", complete("c1"));
    await eventually(() =>
      expect(gw.eventsOf("c1")).toEqual([
        T.CREATED,
        T.QUEUED,
        T.OFFERED,
        T.ACCEPTED,
        T.CONNECTED,
        T.COMPLETED,
      ]),
    );
    expect(gw.events.filter((e) => e.contactId === "c1").map((e) => Number(e.sequence))).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
    expect((await t.reservations.getForContact("c1"))?.state).toBe("COMPLETED");
    const record = await t.contacts.getRecord("c1");
    expect(record?.sequence).toBe(6);
    expect(
      decodeContactRecord(record?.record ?? new Uint8Array()).lastEvent?.disposition?.code,
    ).toBe("resolved");
    const customer = await t.identity.resolve([{ kind: "phone", value: "+3247000000" }]);
    expect((await t.history.getHistory(customer.customerId)).lastAgents[0]?.agentId).toBe("anna");
  });

  it("a refused reservation re-routes the contact to another agent", async () => {
    const { store, gw } = await setup();
    await gw.addAgent("anna");
    await gw.addAgent("bob");
    await gw.agent("anna", connected());
    await gw.agent("bob", connected());
    // Someone else (a stale router, another site) holds anna's capacity in the store.
    const t = store.forTenant(tenant);
    await eventually(async () => expect((await t.agents.get("bob")).state).toBe("AVAILABLE"));
    // Reserve for anna under the router's own live lease token (its first generation).
    const token = await readToken(store);
    await t.reservations.reserve({
      contactId: "other",
      agentId: "anna",
      offerId: "foreign",
      channel: "VOICE",
      weightMilli: 1000,
      capacityMilli: 1020,
      expiresAtMs: Date.now() + 60_000,
      fence: { partition: tenant, token },
    });
    await gw.submit("c1");
    await eventually(() => expect(gw.eventsOf("c1")).toContain(T.OFFERED));
    const offered = gw.events.filter((e) => e.contactId === "c1" && e.type === T.OFFERED);
    expect(offered.map((e) => e.agentId)).toEqual(["bob"]);
    expect(gw.offers.get("anna") ?? []).toHaveLength(0);
  });

  it("an unanswered offer times out, is withdrawn and re-offered to the next agent", async () => {
    const { bus, store, gw } = await setup();
    await store
      .forTenant(tenant)
      .config.put(
        "queue",
        "default",
        encodeQueue(create(QueueSchema, { id: "default", offerTimeout: durationFromMs(200) })),
      );
    bus.notify(configSubject(bus.subjects, tenant), new Uint8Array());
    await gw.addAgent("anna");
    await gw.agent("anna", connected());
    await new Promise((r) => setTimeout(r, 50));
    await gw.submit("c1");
    await eventually(() => expect(gw.offers.get("anna")).toHaveLength(1));
    const first = gw.offers.get("anna")?.[0]?.offerId ?? "";
    await gw.addAgent("bob");
    await gw.agent("bob", connected());
    await eventually(() => expect(gw.eventsOf("c1")).toContain(T.OFFER_TIMED_OUT), 3000);
    expect(gw.withdrawn.has(first)).toBe(true);
    await eventually(() => expect(gw.offers.get("bob")).toHaveLength(1));
  });

  it("a disconnected agent's pending offer is re-routed at once", async () => {
    const { gw } = await setup();
    await gw.addAgent("anna");
    await gw.agent("anna", connected());
    await eventually(() => expect(gw.events).toHaveLength(0));
    await gw.submit("c1");
    await eventually(() => expect(gw.offers.get("anna")).toHaveLength(1));
    await gw.addAgent("bob");
    await gw.agent("bob", connected());
    await gw.agent("anna", {
      case: "disconnected",
      value: create(AgentDisconnectedSchema, { gatewayId: "g", reason: "stream_closed" }),
    });
    await eventually(() => expect(gw.offers.get("bob")).toHaveLength(1));
    expect(gw.eventsOf("c1")).toEqual([T.CREATED, T.OFFERED, T.REJECTED, T.OFFERED]);
  });

  it("stores a snapshot after changes only: an idle partition does not encode its state again", async () => {
    const { store, gw } = await setup();
    const puts: number[] = [];
    const snapshots = store.forTenant(tenant).snapshots;
    const put = snapshots.put.bind(snapshots);
    // The memory store hands out one object per tenant: the router writes through this one.
    expect(store.forTenant(tenant).snapshots).toBe(snapshots);
    snapshots.put = (id, snapshot) => {
      puts.push(snapshot.seq);
      return put(id, snapshot);
    };
    await gw.addAgent("anna");
    await gw.submit("c1");
    await eventually(() => expect(gw.eventsOf("c1")).toEqual([T.CREATED, T.QUEUED]));
    await eventually(() => expect(puts.length).toBeGreaterThan(0));
    // Ten intervals idle (ticks every 20 ms, none with effects): nothing new to store.
    await new Promise((r) => setTimeout(r, 300));
    const idle = puts.length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(puts.length).toBe(idle);
    await gw.agent("anna", connected());
    await eventually(() => expect(gw.eventsOf("c1")).toContain(T.OFFERED));
    await eventually(() => expect(puts.length).toBeGreaterThan(idle));
    expect(puts.at(-1)).toBeGreaterThan(puts[idle - 1] ?? 0);
  });

  it("a state slow to encode is snapshotted less often: never more than a tenth of the time", () => {
    expect(nextSnapshotDueMs(5000, 1000, 20)).toBe(6000);
    expect(nextSnapshotDueMs(5000, 1000, 100)).toBe(6000);
    expect(nextSnapshotDueMs(5000, 1000, 250)).toBe(7500);
  });

  it("two routers for one partition: one leads, the other stands by; no double offers", async () => {
    const { gw, routers } = await setup(2);
    const leaders = routers.filter((r) => r.leading().includes(tenant));
    expect(leaders).toHaveLength(1);
    for (const a of ["a1", "a2", "a3"]) {
      await gw.addAgent(a);
      await gw.agent(a, connected());
    }
    for (let i = 0; i < 20; i++) await gw.submit(`c${i}`);
    await eventually(() => expect([...gw.offers.values()].flat()).toHaveLength(3));
    const contacts = [...gw.offers.values()].flat().map((o) => o.contact?.id);
    expect(new Set(contacts).size).toBe(3);
  });
});

async function readToken(store: Store): Promise<number> {
  const snapshot = await store.forTenant(tenant).snapshots.get(tenant);
  expect(snapshot).toBeDefined();
  return JSON.parse(new TextDecoder().decode(snapshot?.data)).generation as number;
}
