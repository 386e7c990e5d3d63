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
import { startRouter } from "./router-service.js";
import { connected, createTestGateway, eventually } from "./test-kit.js";

const logger = createLogger({ level: "silent" });
const tenant = "acme";
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("offer withdrawal", () => {
  // The store expires an offer on its clock; the engine's clock trails it a little (and far
  // more under a backlog), so an accept can reach a store that already released the offer
  // while the engine still holds it. The router then rejects it for the agent and re-routes:
  // the desktop that accepted must hear of the withdrawal before the contact is offered again.
  it("an accept the store finds expired withdraws the offer before the contact is re-offered", async () => {
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
    const router = await startRouter({
      bus,
      store,
      logger,
      clock,
      tenants: [tenant],
      tickIntervalMs: 10,
      snapshotIntervalMs: 100,
    });
    cleanups.push(async () => {
      await logConsumer.stop();
      await gw.close();
      await router.stop();
      await bus.close();
    });

    await gw.addAgent("anna");
    await gw.addAgent("bob");
    await gw.agent("anna", connected());
    await gw.submit("c1");
    await eventually(() => expect(gw.offers.get("anna")).toHaveLength(1));
    const first = gw.offers.get("anna")?.[0];
    const expiresAtMs = timestampMs(first?.expireTime ?? timestampFromMs(0));
    await gw.agent("bob", connected());
    await eventually(async () => expect((await t.agents.get("bob")).state).toBe("AVAILABLE"));

    // Past the expiry for the store, not yet for the engine's ticks (clock − 100 ms).
    clock.set(expiresAtMs + 50);
    // Anna's accept, stamped just before the expiry, as a backlogged gateway command is.
    const accept = create(AgentCommandSchema, {
      agentId: "anna",
      requestId: "late-accept",
      time: timestampFromMs(expiresAtMs - 20),
      command: { case: "acceptOffer", value: { offerId: first?.offerId ?? "" } },
    });
    await bus.publish(
      agentCommandSubject(bus.subjects, tenant, "anna"),
      encodeAgentCommand(accept),
      {
        msgId: msgIds.agentCommand(tenant, "anna", "late-accept"),
      },
    );

    await eventually(() => expect(gw.offers.get("bob")).toHaveLength(1));
    const withdrawal = offerLog.find(
      (m) => m.kind === "offerWithdrawn" && m.offerId === first?.offerId,
    );
    const reOffer = offerLog.find((m) => m.kind === "offer" && m.agentId === "bob");
    expect(withdrawal?.agentId).toBe("anna");
    expect(reOffer).toBeDefined();
    expect(withdrawal?.seq ?? Number.POSITIVE_INFINITY).toBeLessThan(reOffer?.seq ?? 0);
    expect(gw.withdrawn.has(first?.offerId ?? "")).toBe(true);
  });
});
