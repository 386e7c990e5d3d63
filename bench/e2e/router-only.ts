import { create } from "@bufbuild/protobuf";
import { type Timestamp, TimestampSchema } from "@bufbuild/protobuf/wkt";
import {
  agentCommandSubject,
  contactCommandSubject,
  createJetStreamBus,
  createLogger,
  createNatsHandle,
  createRedisHandle,
  createRedisStore,
  decodeOfferMessage,
  encodeAgent,
  encodeAgentCommand,
  encodeContactCommand,
  encodeQueue,
  encodeRoutingRule,
  msgIds,
  pipelineFilters,
} from "../../core/index.js";
import {
  AgentCommandSchema,
  AgentSchema,
  AgentState,
  Channel,
  ContactCommandSchema,
  ContactSchema,
  QueueSchema,
  RoutingRuleSchema,
} from "../../proto/index.js";
import { cpuMeter } from "./cpu.js";
import { percentile, runOpenLoop, settle } from "./open-loop.js";
import { startRole } from "./processes.js";

export interface RouterOnlyResult {
  readonly sent: number;
  readonly offered: number;
  readonly lost: number;
  readonly doubleOffers: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  /** The router process's CPU ms per contact sent, setup and waits included. */
  readonly cpuMsPerContact: number | undefined;
}

const TENANT = "default";

/** Now, to the microsecond, as the gateway stamps commands (the router merges streams by it). */
function preciseNow(): Timestamp {
  const ms = performance.timeOrigin + performance.now();
  const seconds = Math.floor(ms / 1000);
  return create(TimestampSchema, {
    seconds: BigInt(seconds),
    nanos: Math.floor((ms - seconds * 1000) * 1000) * 1000,
  });
}
const SKILL = "billing";
const CAPACITY = 100;

/**
 * The router process alone, without the gateway: this process does what a gateway does on the
 * bus (config in Redis, AgentConnected, submit ContactCommands with their msgIds, an accept
 * for every offer) and measures submit published → offer received, at the same open-loop rate.
 * Tells the router's share of the system's latency and its own sustainable rate apart from the
 * gateway's. `--router-only` in main.ts; a diagnostic, not the number.
 */
export async function measureRouterOnly(
  natsUrl: string,
  redisUrl: string,
  ratePerSec: number,
  seconds: number,
): Promise<RouterOnlyResult> {
  const logger = createLogger({ level: "warn" });
  const nats = createNatsHandle({ url: natsUrl, logger });
  const redis = createRedisHandle({ url: redisUrl, logger });
  await redis.ready;
  const bus = createJetStreamBus({ connection: await nats.connected, logger });
  await bus.ensureStreams();
  const store = createRedisStore({ client: redis.client, logger });
  const t = store.forTenant(TENANT);
  const total = Math.round(ratePerSec * seconds);
  const agentIds = Array.from(
    { length: Math.max(20, Math.ceil((total * 1.25) / CAPACITY)) },
    (_, i) => `ro-${i}`,
  );
  await t.config.put("queue", SKILL, encodeQueue(create(QueueSchema, { id: SKILL, name: SKILL })));
  await t.config.put(
    "rule",
    "all",
    encodeRoutingRule(create(RoutingRuleSchema, { id: "all", order: 100, queueId: SKILL })),
  );
  for (const id of agentIds) {
    const agent = create(AgentSchema, {
      id,
      skills: [{ skill: SKILL, proficiency: 3 }],
      complexityTier: 3,
      channelCapacities: [{ channel: Channel.CHAT, maxConcurrent: CAPACITY }],
    });
    await t.config.put("agent", id, encodeAgent(agent));
  }
  const router = await startRole("router", natsUrl, redisUrl);
  let requests = 0;
  const agentCommand = (
    agentId: string,
    command: Parameters<typeof create<typeof AgentCommandSchema>>[1],
  ) => {
    const requestId = `ro-${++requests}`;
    const message = create(AgentCommandSchema, {
      ...command,
      agentId,
      requestId,
      time: preciseNow(),
    });
    return bus.publish(
      agentCommandSubject(bus.subjects, TENANT, agentId),
      encodeAgentCommand(message),
      {
        msgId: msgIds.agentCommand(TENANT, agentId, requestId),
      },
    );
  };
  const sentAt = new Map<string, number>();
  const offers = new Map<string, Set<string>>();
  const withdrawn = new Set<string>();
  const latencies: number[] = [];
  const subscription = await bus.subscribe(pipelineFilters.offers(bus.subjects, TENANT), (n) => {
    const { event } = decodeOfferMessage(n.data);
    if (event.case === "offerWithdrawn") withdrawn.add(event.value.offerId);
    if (event.case !== "offer") return;
    const contactId = event.value.contact?.id ?? "";
    const seen = offers.get(contactId) ?? new Set<string>();
    if (seen.size === 0) {
      const t0 = sentAt.get(contactId);
      if (t0 !== undefined) latencies.push(performance.now() - t0);
    }
    seen.add(event.value.offerId);
    offers.set(contactId, seen);
    const agentId = n.subject.slice(n.subject.lastIndexOf(".") + 1);
    void agentCommand(agentId, {
      command: { case: "acceptOffer", value: { offerId: event.value.offerId } },
    }).catch(() => undefined);
  });
  try {
    for (const id of agentIds)
      await agentCommand(id, {
        command: {
          case: "connected",
          value: { gatewayId: "bench", initialState: AgentState.AVAILABLE },
        },
      });
    const published = new Set<string>();
    const routerCpu = cpuMeter(router.child.pid);
    await runOpenLoop(ratePerSec, seconds, (i, t0) => {
      const contactId = `ro-c-${i}`;
      sentAt.set(contactId, t0);
      const contact = create(ContactSchema, {
        id: contactId,
        tenant: TENANT,
        channel: Channel.CHAT,
        idempotencyKey: contactId,
        customer: { identifiers: { webSessionId: `w-${contactId}` } },
        requiredSkills: [{ skill: SKILL, minProficiency: 2 }],
        complexity: 2,
      });
      const command = create(ContactCommandSchema, {
        requestId: contactId,
        time: preciseNow(),
        command: { case: "submit", value: contact },
      });
      bus
        .publish(
          contactCommandSubject(bus.subjects, TENANT, Channel.CHAT),
          encodeContactCommand(command),
          { msgId: msgIds.submit(TENANT, contactId) },
        )
        .then(
          () => published.add(contactId),
          () => undefined,
        );
    });
    await settle(() => published.size, total, 5_000, 60_000);
    await settle(() => offers.size, published.size, 5_000, 600_000);
    const lost = [...published].filter((id) => !offers.has(id)).length;
    const doubleOffers = [...offers.values()].filter(
      (s) => [...s].filter((id) => !withdrawn.has(id)).length > 1,
    ).length;
    return {
      sent: published.size,
      offered: offers.size,
      lost,
      doubleOffers,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      p999Ms: percentile(latencies, 99.9),
      cpuMsPerContact: routerCpu(total),
    };
  } finally {
    subscription.unsubscribe();
    await router.stop();
    await bus.close();
    await store.close();
    await redis.close();
    await nats.close();
  }
}
