import type { MessageInitShape } from "@bufbuild/protobuf";
import { type ClientDuplexStream, credentials, type ServiceError, status } from "@grpc/grpc-js";
import { createGrpcClient } from "../../gateway/index.js";
import {
  AdminService,
  AgentService,
  type AgentServiceConnectRequestSchema,
  type AgentServiceConnectResponse,
  AgentState,
  Channel,
  ContactService,
} from "../../proto/index.js";
import { percentile, runOpenLoop, settle } from "./open-loop.js";

type Stream = ClientDuplexStream<
  MessageInitShape<typeof AgentServiceConnectRequestSchema>,
  AgentServiceConnectResponse
>;

export interface SwitchboardResult {
  readonly contacts: number;
  readonly acked: number;
  readonly refused: number;
  /** Refused submits by gRPC status name. */
  readonly refusals: Record<string, number>;
  readonly withdrawn: number;
  readonly retries: number;
  readonly offered: number;
  readonly lost: number;
  readonly doubleOffers: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  /** Scheduled submit → SubmitContact answered: the gateway's share. */
  readonly ackP50Ms: number;
  readonly ackP99Ms: number;
  /** Agent streams that ended during the run: their contacts' offers could not be seen. */
  readonly desktopsDropped: number;
}

/** The most an agent may hold (AdminService's limit); agents only accept, never complete. */
const CAPACITY = 100;
const SKILL = "billing";

async function createAgents(address: string, contacts: number): Promise<string[]> {
  using admin = createGrpcClient(AdminService, address, credentials.createInsecure());
  await admin.putQueue({ queue: { id: SKILL, name: "Billing" } });
  await admin.putRoutingRule({ rule: { id: "all", order: 100, queueId: SKILL } });
  // A quarter spare: the run measures routing, never contacts waiting for a free agent.
  const count = Math.max(20, Math.ceil((contacts * 1.25) / CAPACITY));
  const ids = Array.from({ length: count }, (_, i) => `bench-${i}`);
  for (let i = 0; i < ids.length; i += 50) {
    await Promise.all(
      ids.slice(i, i + 50).map((id) =>
        admin.putAgent({
          agent: {
            id,
            skills: [{ skill: SKILL, proficiency: 3 }],
            complexityTier: 3,
            channelCapacities: [{ channel: Channel.CHAT, maxConcurrent: CAPACITY }],
          },
        }),
      ),
    );
  }
  return ids;
}

/**
 * Open-loop SubmitContact at `ratePerSec` through the gateway at `address`, agents on
 * AgentService streams accepting every offer at once; latency = scheduled submit time →
 * offer received on the agent's stream, matched by idempotency key.
 */
export async function measureSwitchboard(
  address: string,
  ratePerSec: number,
  seconds: number,
  /** Called once the agents are connected, right before the first submit. */
  onLoadStart: () => void = () => {},
): Promise<SwitchboardResult> {
  const total = Math.round(ratePerSec * seconds);
  const agentIds = await createAgents(address, total);
  const scheduledAt = new Map<string, number>();
  const offersByKey = new Map<string, Set<string>>();
  const latencies: number[] = [];
  const acked = new Set<string>();
  // An offer withdrawn (expired, say) may be followed by another: not a double offer.
  const withdrawn = new Set<string>();
  const refusals = new Map<string, number>();
  const ackLatencies: number[] = [];
  let refused = 0;
  let retries = 0;

  // Its own connection: a flood of submits that breaks the submit client's HTTP/2 session must
  // not take the desktops down with it (their offers would count as lost).
  const ownConnection = { channelOptions: { "grpc.use_local_subchannel_pool": 1 } };
  const agents = createGrpcClient(
    AgentService,
    address,
    credentials.createInsecure(),
    ownConnection,
  );
  let desktopsDropped = 0;
  let closing = false;
  const streams: Stream[] = [];
  await Promise.all(
    agentIds.map(
      (agentId) =>
        new Promise<void>((welcomed, failed) => {
          const stream = agents.connect() as Stream;
          streams.push(stream);
          stream.on("error", failed);
          // A desktop gone before the end cannot receive its offers: the run says so.
          stream.on("close", () => {
            if (!closing) desktopsDropped++;
          });
          stream.on("data", (m: AgentServiceConnectResponse) => {
            if (m.event.case === "welcome") welcomed();
            if (m.event.case === "offerWithdrawn") withdrawn.add(m.event.value.offerId);
            if (m.event.case !== "offer") return;
            const { offerId, contact } = m.event.value;
            const key = contact?.idempotencyKey ?? "";
            const seen = offersByKey.get(key) ?? new Set<string>();
            if (seen.size === 0) {
              const t0 = scheduledAt.get(key);
              if (t0 !== undefined) latencies.push(performance.now() - t0);
            }
            seen.add(offerId);
            offersByKey.set(key, seen);
            stream.write({
              requestId: `a-${offerId}`,
              command: { case: "acceptOffer", value: { offerId } },
            });
          });
          stream.write({
            command: { case: "hello", value: { agentId, initialState: AgentState.AVAILABLE } },
          });
        }),
    ),
  );

  const client = createGrpcClient(ContactService, address, credentials.createInsecure(), {
    defaultTimeoutMs: 10_000,
    ...ownConnection,
  });
  const submit = (key: string, attempt: number): void => {
    const contact = {
      channel: Channel.CHAT,
      idempotencyKey: key,
      customer: { identifiers: { webSessionId: `w-${key}` } },
      requiredSkills: [{ skill: SKILL, minProficiency: 2 }],
      complexity: 2,
    };
    client.submitContact({ contact }).then(
      () => {
        acked.add(key);
        ackLatencies.push(performance.now() - scheduledAt.get(key)!);
      },
      (err: ServiceError) => {
        // The platform's contract: retry UNAVAILABLE with the same idempotency key.
        if (err.code === status.UNAVAILABLE && attempt < 5) {
          retries++;
          setTimeout(() => submit(key, attempt + 1), 100 * 2 ** attempt);
        } else {
          refused++;
          // The code and the first words of the detail: enough to tell overload from a bug.
          const detail = (err.details.split(/[,:]/)[0] ?? "").replace(/[\d.]+\s*m?s\b/g, "N");
          const code = `${status[err.code] ?? err.code}: ${detail}`;
          refusals.set(code, (refusals.get(code) ?? 0) + 1);
        }
      },
    );
  };
  onLoadStart();
  await runOpenLoop(ratePerSec, seconds, (i, t0) => {
    const key = `k-${i}`;
    scheduledAt.set(key, t0);
    submit(key, 0);
  });
  await settle(() => acked.size + refused, total, 10_000, 60_000);
  // A router behind by minutes is slow, not lossy: wait while offers still arrive.
  // Counted over the acknowledged keys: offers for submits that timed out at the client (but
  // reached the bus) must not end the wait before every acknowledged one was offered.
  const offeredAcked = () => {
    let n = 0;
    for (const k of acked) if (offersByKey.has(k)) n++;
    return n;
  };
  await settle(offeredAcked, acked.size, 5_000, 600_000);

  closing = true;
  for (const s of streams) s.cancel();
  agents.close();
  client.close();
  const lost = [...acked].filter((k) => !offersByKey.has(k)).length;
  const doubleOffers = [...offersByKey.values()].filter(
    (s) => [...s].filter((id) => !withdrawn.has(id)).length > 1,
  ).length;
  return {
    contacts: total,
    acked: acked.size,
    refused,
    refusals: Object.fromEntries(refusals),
    withdrawn: withdrawn.size,
    retries,
    offered: offersByKey.size,
    lost,
    doubleOffers,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    p999Ms: percentile(latencies, 99.9),
    ackP50Ms: percentile(ackLatencies, 50),
    ackP99Ms: percentile(ackLatencies, 99),
    desktopsDropped,
  };
}
