import { create } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { afterEach, describe, expect, it } from "vitest";
import {
  agentCommandSubject,
  createLogger,
  createManualClock,
  createMemoryBus,
  createMemoryStore,
  decodeOfferMessage,
  encodeAgentCommand,
  encodeQueue,
  msgIds,
  pipelineFilters,
} from "../../core/index.js";
import { AgentCommandSchema, QueueSchema } from "../../proto/index.js";
import { type Router, startRouter } from "./router-service.js";
import { ContactEventType, connected, createTestGateway, eventually } from "./test-kit.js";

const logger = createLogger({ level: "silent" });
const tenant = "acme";
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Memory backends, agents anna and bob, and `c1` offered to anna with a 300 ms offer timeout. */
async function offeredToAnna(options: { leaseTtlMs?: number } = {}) {
  const clock = createManualClock(1_700_000_000_000);
  const bus = createMemoryBus({ logger, subjectRoot: "ow" });
  await bus.ensureStreams();
  const store = createMemoryStore({ clock });
  const t = store.forTenant(tenant);
  await t.config.put(
    "queue",
    "default",
    encodeQueue(create(QueueSchema, { id: "default", offerTimeout: durationFromMs(300) })),
  );
  const gw = await createTestGateway(bus, store, tenant, clock);
  // Every offer message in stream order, as a gateway relays them to the desktops.
  const offerLog: { seq: number; kind: string; offerId: string; agentId: string }[] = [];
  const logConsumer = await bus.consume(
    { filterSubjects: [pipelineFilters.offers(bus.subjects, tenant)] },
    async (m) => {
      const { event } = decodeOfferMessage(m.data);
      if (event.case !== "offer" && event.case !== "offerWithdrawn") return;
      const agentId = m.subject.slice(m.subject.lastIndexOf(".") + 1);
      offerLog.push({ seq: m.seq, kind: event.case, offerId: event.value.offerId, agentId });
    },
  );
  const routers: Router[] = [];
  const start = async () => {
    const router = await startRouter({
      bus,
      store,
      logger,
      clock,
      tenants: [tenant],
      tickIntervalMs: 10,
      snapshotIntervalMs: 50,
      ...(options.leaseTtlMs === undefined ? {} : { leaseTtlMs: options.leaseTtlMs }),
    });
    routers.push(router);
    return router;
  };
  cleanups.push(async () => {
    await logConsumer.stop();
    await gw.close();
    for (const r of routers) await r.stop();
    await bus.close();
  });
  const router = await start();

  await gw.addAgent("anna");
  await gw.addAgent("bob");
  await gw.agent("anna", connected());
  await gw.submit("c1");
  await eventually(() => expect(gw.offers.get("anna")).toHaveLength(1));
  const first = gw.offers.get("anna")?.[0];
  const offerId = first?.offerId ?? "";
  const expiresAtMs = timestampMs(first?.expireTime ?? timestampFromMs(0));
  // Anna's accept, stamped just before the expiry, as a backlogged gateway command is.
  const lateAccept = () =>
    bus.publish(
      agentCommandSubject(bus.subjects, tenant, "anna"),
      encodeAgentCommand(
        create(AgentCommandSchema, {
          agentId: "anna",
          requestId: "late-accept",
          time: timestampFromMs(expiresAtMs - 20),
          command: { case: "acceptOffer", value: { offerId } },
        }),
      ),
      { msgId: msgIds.agentCommand(tenant, "anna", "late-accept") },
    );
  return { clock, t, gw, offerLog, router, start, offerId, expiresAtMs, lateAccept };
}

describe("offer withdrawal", () => {
  // The store expires an offer on its clock; the engine's clock trails it a little (and far
  // more under a backlog), so an accept stamped in time can reach the store after the expiry.
  it("an accept stamped in time is confirmed by the leader that made the offer, even past the store's expiry", async () => {
    const { clock, t, gw, offerLog, offerId, expiresAtMs, lateAccept } = await offeredToAnna();
    await gw.agent("bob", connected());
    await eventually(async () => expect((await t.agents.get("bob")).state).toBe("AVAILABLE"));
    // Past the expiry for the store, not yet for the engine's ticks (clock − 100 ms).
    clock.set(expiresAtMs + 50);
    await lateAccept();
    await eventually(() => expect(gw.eventsOf("c1")).toContain(ContactEventType.CONNECTED));
    expect((await t.reservations.get(offerId))?.state).toBe("CONFIRMED");
    expect((await t.agents.get("anna")).load.totalMilli).toBeGreaterThan(0);
    expect(offerLog.filter((m) => m.kind === "offerWithdrawn")).toEqual([]);
    expect(gw.offers.get("bob") ?? []).toEqual([]);
  });

  // An offer inherited from the previous leader is the store's to judge: the accept is
  // refused, and the desktop that accepted must hear of the withdrawal before the contact
  // is offered again.
  it("an inherited offer's accept the store finds expired withdraws the offer before the contact is re-offered", async () => {
    const { clock, t, gw, offerLog, router, start, offerId, expiresAtMs, lateAccept } =
      await offeredToAnna({ leaseTtlMs: 200 });
    // A snapshot that holds the offer, then a crash: the next leader inherits it.
    await eventually(async () => {
      const snapshot = await t.snapshots.get(tenant);
      expect(new TextDecoder().decode(snapshot?.data)).toContain(offerId);
    });
    await router.abort();
    await gw.agent("bob", connected());
    // Past the expiry for the store and past the dead leader's lease; not yet for the ticks.
    clock.set(expiresAtMs + 50);
    const successor = await start();
    await eventually(() => expect(successor.leading()).toEqual([tenant]));
    await eventually(async () => expect((await t.agents.get("bob")).state).toBe("AVAILABLE"));
    await lateAccept();

    await eventually(() => expect(gw.offers.get("bob")).toHaveLength(1));
    const withdrawal = offerLog.find((m) => m.kind === "offerWithdrawn" && m.offerId === offerId);
    const reOffer = offerLog.find((m) => m.kind === "offer" && m.agentId === "bob");
    expect(withdrawal?.agentId).toBe("anna");
    expect(reOffer).toBeDefined();
    expect(withdrawal?.seq ?? Number.POSITIVE_INFINITY).toBeLessThan(reOffer?.seq ?? 0);
    expect(gw.withdrawn.has(offerId)).toBe(true);
  });
});
