import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ClientDuplexStream } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import {
  type Bus,
  createLogger,
  createMemoryBus,
  encodeContactRecord,
  encodeOfferMessage,
  msgIds,
  offerSubject,
} from "../../core/index.js";
import {
  AdminService,
  AgentService,
  type AgentServiceConnectRequestSchema,
  type AgentServiceConnectResponse,
  AgentServiceConnectResponseSchema,
  AgentState,
  Channel,
  ContactEventType,
  ContactRecordSchema,
} from "../../proto/index.js";
import { waitUntil } from "../../test/harness/index.js";
import { startTestGateway, type TestGateway } from "../gateway-test-kit.js";

const ADMIN = "acme-admin-token-0001";
const ANNA = "acme-agent-anna-token";

/**
 * A memory bus whose subscriptions can be cut off, as a NATS connection drops: what is stored
 * meanwhile never reaches them. `reconnect()` restores them and runs the onReconnect listeners.
 */
function cuttableBus(): Bus & { cut(): void; reconnect(): void } {
  const inner = createMemoryBus({ logger: createLogger({ level: "silent" }) });
  const listeners = new Set<() => void>();
  let down = false;
  return Object.assign(Object.create(inner) as Bus, {
    subscribe: (pattern: string, handler: Parameters<Bus["subscribe"]>[1]) =>
      inner.subscribe(pattern, (n) => (down ? undefined : handler(n))),
    onReconnect(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    cut() {
      down = true;
    },
    reconnect() {
      down = false;
      for (const l of listeners) l();
    },
  });
}

type Stream = ClientDuplexStream<
  MessageInitShape<typeof AgentServiceConnectRequestSchema>,
  AgentServiceConnectResponse
>;

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

describe("after the bus reconnects, desktops are brought in line with the store", () => {
  it("an offer published while the gateway could not hear it reaches the desktop once, with its decision, and can be accepted", async () => {
    const bus = cuttableBus();
    gw = await startTestGateway({
      bus,
      tokens: {
        [ADMIN]: { tenant: "acme", role: "admin" },
        [ANNA]: { tenant: "acme", role: "agent", agentId: "anna" },
      },
    });
    await gw.client(AdminService, ADMIN).putAgent({
      agent: {
        id: "anna",
        skills: [{ skill: "billing", proficiency: 3 }],
        channelCapacities: [{ channel: Channel.CHAT, maxConcurrent: 2 }],
      },
    });
    const stream = gw.client(AgentService, ANNA).connect() as Stream;
    const seen: AgentServiceConnectResponse[] = [];
    stream.on("data", (m: AgentServiceConnectResponse) => seen.push(m));
    stream.write({
      command: { case: "hello", value: { agentId: "anna", initialState: AgentState.AVAILABLE } },
    });
    const until = (what: string, condition: () => boolean) => waitUntil(what, condition, 3000);
    await until("welcome", () => seen.some((m) => m.event.case === "welcome"));

    // What the router does while this gateway is cut off: reserve, record OFFERED, publish.
    bus.cut();
    const tenant = gw.store.forTenant("acme");
    const lease = await tenant.leases.acquire("p0", "router-1", 60_000);
    if (lease === null) throw new Error("no lease");
    const expiresAtMs = Date.now() + 30_000;
    const reserved = await tenant.reservations.reserve({
      contactId: "c1",
      agentId: "anna",
      offerId: "g1-offer-1",
      channel: "CHAT",
      weightMilli: 340,
      capacityMilli: 1000,
      expiresAtMs,
      fence: lease,
    });
    expect(reserved.ok).toBe(true);
    const contact = { id: "c1", tenant: "acme", channel: Channel.CHAT, subject: "refund" };
    const decision = { contactId: "c1", winnerAgentId: "anna", reason: "longest idle" };
    await tenant.contacts.putRecord(
      "c1",
      encodeContactRecord(
        create(ContactRecordSchema, {
          contact,
          lastEvent: {
            type: ContactEventType.OFFERED,
            contactId: "c1",
            offerId: "g1-offer-1",
            decision,
          },
          sequence: 2n,
        }),
      ),
      2,
    );
    const offerMessage = encodeOfferMessage(
      create(AgentServiceConnectResponseSchema, {
        event: {
          case: "offer",
          value: {
            offerId: "g1-offer-1",
            contact,
            decision,
            expireTime: timestampFromMs(expiresAtMs),
          },
        },
      }),
    );
    const subject = offerSubject(bus.subjects, "acme", "anna");
    await bus.publish(subject, offerMessage, {
      msgId: msgIds.offer("acme", "g1-offer-1", "offered"),
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.filter((m) => m.event.case === "offer")).toEqual([]);

    bus.reconnect();
    await until("the missed offer", () => seen.some((m) => m.event.case === "offer"));
    const got = seen.find((m) => m.event.case === "offer");
    if (got?.event.case !== "offer") throw new Error("no offer");
    expect(got.event.value.offerId).toBe("g1-offer-1");
    expect(got.event.value.contact?.subject).toBe("refund");
    expect(got.event.value.decision?.reason).toBe("longest idle");

    // The same offer arriving late on the subscription (a retried publish) is not shown twice.
    await bus.publish(subject, offerMessage, { msgId: "a-retry-under-another-id" });
    stream.write({
      requestId: "r1",
      command: { case: "acceptOffer", value: { offerId: "g1-offer-1" } },
    });
    await until("the accept's ack", () =>
      seen.some((m) => m.event.case === "ack" && m.event.value.requestId === "r1"),
    );
    await bus.publish(subject, offerMessage, { msgId: "a-second-retry" });
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.filter((m) => m.event.case === "offer")).toHaveLength(1);
    stream.end();
  });
});
