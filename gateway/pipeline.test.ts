import { randomUUID } from "node:crypto";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ClientDuplexStream, ServiceError } from "@grpc/grpc-js";
import { status } from "@grpc/grpc-js";
import { connect, type NatsConnection } from "nats";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import {
  type Bus,
  createJetStreamBus,
  createLogger,
  createMemoryBus,
  createMemoryStore,
  createRedisHandle,
  createRedisStore,
  type RedisHandle,
  type Store,
} from "../core/index.js";
import {
  AdminService,
  AgentService,
  type AgentServiceConnectRequestSchema,
  type AgentServiceConnectResponse,
  AgentState,
  Channel,
  type ContactEvent,
  ContactEventType,
  ContactService,
  type WatchContactResponse,
} from "../proto/index.js";
import { type Router, startRouter } from "../router/index.js";
import { waitForHealth, waitUntil } from "../test/harness/index.js";
import { startTestGateway, type TestGateway } from "./gateway-test-kit.js";

// Gateway + the real router, over gRPC clients, on memory backends and on real NATS + Redis.
const logger = createLogger({ level: "silent" });
const ADMIN = "acme-admin-token-0001";
const PLATFORM = "acme-platform-token-1";
const agentToken = (id: string) => `acme-agent-${id}-token-xx`;
const tokens = {
  [ADMIN]: { tenant: "acme", role: "admin" },
  [PLATFORM]: { tenant: "acme", role: "platform" },
  ...Object.fromEntries(
    ["anna", "bob"].map((id) => [agentToken(id), { tenant: "acme", role: "agent", agentId: id }]),
  ),
} as const;

let nc: NatsConnection | undefined;
let redis: RedisHandle | undefined;
beforeAll(async () => {
  nc = await connect({ servers: inject("natsUrl"), name: "gateway-pipeline-test" });
  redis = createRedisHandle({ url: inject("redisUrl"), logger });
  await waitForHealth(redis.health, "up");
});
afterAll(async () => {
  await nc?.close();
  await redis?.close();
});

const backends: { name: string; make(): { bus: Bus; store: Store } }[] = [
  {
    name: "memory",
    make: () => ({ bus: createMemoryBus({ logger }), store: createMemoryStore() }),
  },
  {
    name: "nats+redis",
    make() {
      const id = randomUUID().replaceAll("-", "").slice(0, 12);
      return {
        bus: createJetStreamBus({
          logger,
          connection: nc!,
          storage: "memory",
          streamPrefix: `G${id}_`,
          subjectRoot: `g${id}`,
        }),
        store: createRedisStore({ client: redis!.client, logger, keyPrefix: `gw:${id}:` }),
      };
    },
  },
];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const until = waitUntil;

type Stream = ClientDuplexStream<
  MessageInitShape<typeof AgentServiceConnectRequestSchema>,
  AgentServiceConnectResponse
>;

describe.each(backends)("gateway with the real router: $name", (backend) => {
  async function start(agentGraceMs = 10_000): Promise<{ gw: TestGateway; router: Router }> {
    const { bus, store } = backend.make();
    const gw = await startTestGateway({ bus, store, tokens, agentGraceMs });
    const router = await startRouter({ bus, store, logger, tenants: ["acme"], leaseTtlMs: 3000 });
    cleanups.push(async () => {
      await gw.stop();
      await router.stop();
      await bus.close();
      if (backend.name !== "memory" && nc) {
        const jsm = await nc.jetstreamManager();
        for (const s of Object.values(bus.streams))
          await jsm.streams.delete(s.name).catch(() => false);
      }
    });
    const admin = gw.client(AdminService, ADMIN);
    await admin.putQueue({ queue: { id: "billing", name: "Billing" } });
    await admin.putRoutingRule({ rule: { id: "all", order: 100, queueId: "billing" } });
    for (const id of ["anna", "bob"]) {
      await admin.putAgent({
        agent: {
          id,
          skills: [{ skill: "billing", proficiency: 3 }],
          complexityTier: 3,
          channelCapacities: [{ channel: Channel.CHAT, maxConcurrent: 1 }],
        },
      });
    }
    return { gw, router };
  }

  function desktop(gw: TestGateway, agentId: string) {
    const stream = gw.client(AgentService, agentToken(agentId)).connect() as Stream;
    const seen: AgentServiceConnectResponse[] = [];
    stream.on("data", (m: AgentServiceConnectResponse) => seen.push(m));
    const ended = new Promise<ServiceError | undefined>((resolve) => {
      stream.on("end", () => resolve(undefined));
      stream.on("error", (e: ServiceError) => resolve(e));
    });
    stream.write({
      command: { case: "hello", value: { agentId, initialState: AgentState.AVAILABLE } },
    });
    const of = (kind: string) => seen.filter((m) => m.event.case === kind);
    return { stream, seen, ended, of };
  }

  const chat = (key: string) => ({
    channel: Channel.CHAT,
    idempotencyKey: key,
    customer: { identifiers: { webSessionId: `w-${key}` } },
    requiredSkills: [{ skill: "billing", minProficiency: 2 }],
    complexity: 2,
  });

  it("runs a contact through its whole lifecycle: submit, offer with explanation, accept, wrap-up, complete, watched", async () => {
    const { gw } = await start();
    const contacts = gw.client(ContactService, PLATFORM);
    const anna = desktop(gw, "anna");
    await until("welcome", () => anna.of("welcome").length === 1);

    const { contact } = await contacts.submitContact({ contact: chat("life-1") });
    const retry = await contacts.submitContact({ contact: chat("life-1") });
    expect(retry).toMatchObject({ duplicate: true, contact: { id: contact?.id } });
    const watched: ContactEvent[] = [];
    const watch = contacts.watchContact({ contactId: contact!.id });
    const watchEnded = new Promise<void>((resolve, reject) => {
      watch.on("data", (r: WatchContactResponse) => watched.push(r.event!));
      watch.on("end", resolve);
      watch.on("error", reject);
    });

    await until("offer", () => anna.of("offer").length === 1);
    const offer = anna.of("offer")[0]!.event;
    if (offer.case !== "offer") throw new Error("not an offer");
    expect(offer.value.contact?.id).toBe(contact?.id);
    expect(offer.value.decision?.agentId).toBe("anna");
    anna.stream.write({
      requestId: "acc",
      command: { case: "acceptOffer", value: { offerId: offer.value.offerId } },
    });
    await until("connected", () => watched.some((e) => e.type === ContactEventType.CONNECTED));
    anna.stream.write({
      requestId: "wu",
      command: { case: "startWrapUp", value: { contactId: contact!.id } },
    });
    anna.stream.write({
      requestId: "done",
      command: {
        case: "completeContact",
        value: { contactId: contact!.id, disposition: { code: "resolved", resolved: true } },
      },
    });
    await watchEnded;
    const types = watched.map((e) => e.type);
    // The watch starts at the contact's state when it was opened (the router may already be past
    // CREATED), then follows every event to the terminal one.
    expect(types.at(-1)).toBe(ContactEventType.COMPLETED);
    const fromConnected = types.slice(types.indexOf(ContactEventType.CONNECTED));
    expect(fromConnected).toContain(ContactEventType.WRAP_UP);
    const sequences = watched.map((e) => Number(e.sequence));
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(new Set(sequences).size).toBe(sequences.length);
    expect(anna.of("error")).toEqual([]);
    const got = await contacts.getContact({ contactId: contact!.id });
    expect(got.lastEvent?.type).toBe(ContactEventType.COMPLETED);
    anna.stream.end();
  });

  it("offers each contact to one agent's own stream; a dropped stream makes the agent OFFLINE after the grace period", async () => {
    const { gw } = await start(300);
    const contacts = gw.client(ContactService, PLATFORM);
    const anna = desktop(gw, "anna");
    const bob = desktop(gw, "bob");
    await until(
      "welcomes",
      () => anna.of("welcome").length === 1 && bob.of("welcome").length === 1,
    );
    const tenant = gw.store.forTenant("acme");
    for (const key of ["two-1", "two-2"]) await contacts.submitContact({ contact: chat(key) });
    await until(
      "one offer each",
      () => anna.of("offer").length === 1 && bob.of("offer").length === 1,
    );
    const offered = [anna, bob].map((d) => {
      const e = d.of("offer")[0]!.event;
      return e.case === "offer" ? e.value.contact?.id : undefined;
    });
    expect(new Set(offered).size).toBe(2);

    bob.stream.cancel();
    await bob.ended;
    let state = "";
    const deadline = Date.now() + 10_000;
    while (state !== "OFFLINE" && Date.now() < deadline) {
      state = (await tenant.agents.get("bob")).state;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(state).toBe("OFFLINE");
    // Bob's pending offer is released and the contact waits for someone else.
    anna.stream.end();
  });

  it("admin changes are versioned and a stale write is refused", async () => {
    const { gw } = await start();
    const admin = gw.client(AdminService, ADMIN);
    const { queue } = await admin.getQueue({ queueId: "billing" });
    await admin.putQueue({ queue: { ...queue!, name: "Billing EMEA" } });
    const stale = await admin
      .putQueue({ queue: { ...queue!, name: "late" } })
      .catch((e: ServiceError) => e);
    expect((stale as ServiceError).code).toBe(status.FAILED_PRECONDITION);
    expect((await admin.getQueue({ queueId: "billing" })).queue?.name).toBe("Billing EMEA");
  });
});
