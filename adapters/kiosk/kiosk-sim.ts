import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  type ChannelCredentials,
  type ClientDuplexStream,
  credentials,
  Metadata,
  type ServiceError,
  status,
} from "@grpc/grpc-js";
import { createGrpcClient, type GrpcClient } from "../../gateway/index.js";
import {
  AdminService,
  AgentService,
  type AgentServiceConnectRequestSchema,
  type AgentServiceConnectResponse,
  AgentState,
  Channel,
  IntermediaryKind,
  KioskFaultCode,
  KioskFaultState,
  KioskService,
  type KioskServiceConnectRequestSchema,
  type KioskServiceConnectResponse,
  KioskStatus,
} from "../../proto/index.js";

/**
 * Simulated kiosks for `switchboard kiosk-sim`: N devices on real KioskService.Connect streams
 * against a running gateway, each sending heartbeats, help requests (one customer at a time),
 * faults (from a small set, so repeats exercise the dedupe) and their clearing, answering the
 * CSAT question, sometimes accepting a callback, and dropping and reopening its stream now and
 * then. Optionally a few simulated agents accept and complete the kiosk contacts. Rates are
 * per device per minute; a seed makes a run repeatable.
 */
export interface KioskSimOptions {
  /** gRPC address of the gateway, e.g. 127.0.0.1:50051. */
  readonly target: string;
  readonly devices: readonly { readonly id: string; readonly token: string }[];
  readonly durationMs: number;
  readonly helpPerMinute: number;
  readonly faultPerMinute: number;
  /** Stream drops (then a reconnect) per device per minute. */
  readonly reconnectPerMinute: number;
  /** Flows to pick from for help requests. */
  readonly flows: readonly string[];
  /** Simulated agents accepting kiosk contacts (0: rely on real agents). */
  readonly agents?: number;
  readonly agentSkills?: readonly string[];
  /** How long a simulated agent holds a contact. Default 500. */
  readonly handleMs?: number;
  /** Bearer token for AdminService/AgentService (not needed in open mode). */
  readonly adminToken?: string;
  /** Default 250. */
  readonly tickMs?: number;
  readonly seed?: number;
  readonly credentials?: ChannelCredentials;
  /** Progress lines (reconnects, refusals). */
  readonly log?: (line: string) => void;
}

export interface KioskSimSummary {
  devices: number;
  /** Welcomes received (first connections and reconnects). */
  welcomes: number;
  refused: number;
  heartbeats: number;
  helpRequests: number;
  /** Distinct contacts the help requests became. */
  contactsCreated: number;
  agentsJoined: number;
  callbacksOffered: number;
  callbacksAccepted: number;
  ended: number;
  csatQuestions: number;
  csatAnswered: number;
  faultsSent: number;
  faultsRaised: number;
  faultsDeduped: number;
  faultsCleared: number;
  faultsResolved: number;
  reconnects: number;
  /** Resumed open requests listed in welcomes after a reconnect. */
  resumed: number;
  errors: number;
  agentsAccepted: number;
}

type KioskRequest = MessageInitShape<typeof KioskServiceConnectRequestSchema>;
type KioskStream = ClientDuplexStream<KioskRequest, KioskServiceConnectResponse>;
type AgentStream = ClientDuplexStream<
  MessageInitShape<typeof AgentServiceConnectRequestSchema>,
  AgentServiceConnectResponse
>;

const SIM_FAULTS = [KioskFaultCode.PAPER_JAM, KioskFaultCode.CASH_LOW];

/** mulberry32: a small, well-known seeded PRNG, so a seed repeats a run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function runKioskSim(options: KioskSimOptions): Promise<KioskSimSummary> {
  const creds = options.credentials ?? credentials.createInsecure();
  const tickMs = options.tickMs ?? 250;
  const rand = random(options.seed ?? Date.now());
  const chance = (perMinute: number) => rand() < (perMinute * tickMs) / 60_000;
  const log = options.log ?? (() => {});
  const run = Date.now().toString(36);
  const summary: KioskSimSummary = {
    devices: options.devices.length,
    welcomes: 0,
    refused: 0,
    heartbeats: 0,
    helpRequests: 0,
    contactsCreated: 0,
    agentsJoined: 0,
    callbacksOffered: 0,
    callbacksAccepted: 0,
    ended: 0,
    csatQuestions: 0,
    csatAnswered: 0,
    faultsSent: 0,
    faultsRaised: 0,
    faultsDeduped: 0,
    faultsCleared: 0,
    faultsResolved: 0,
    reconnects: 0,
    resumed: 0,
    errors: 0,
    agentsAccepted: 0,
  };
  const contacts = new Set<string>();
  const joined = new Set<string>();
  const kiosks = createGrpcClient(KioskService, options.target, creds);
  const agentClient =
    (options.agents ?? 0) > 0 ? createGrpcClient(AgentService, options.target, creds) : undefined;
  const metadata = new Metadata();
  if (options.adminToken !== undefined)
    metadata.set("authorization", `Bearer ${options.adminToken}`);
  let stopping = false;
  const agents =
    agentClient === undefined ? [] : await startAgents(options, agentClient, metadata, summary);

  const devices = options.devices.map((device) => {
    let stream: KioskStream | undefined;
    let request = 0;
    let heartbeat = 0n;
    let gone = false;
    /** Open help requests of the customer at this kiosk. */
    const open = new Set<string>();
    const faults = new Set<KioskFaultCode>();
    const send = (message: NonNullable<KioskRequest["message"]>) => {
      if (stream !== undefined && !stream.writableEnded) stream.write({ message });
    };
    const connect = () => {
      const s = kiosks.connect() as KioskStream;
      stream = s;
      s.on("data", (m: KioskServiceConnectResponse) => {
        if (stream !== s) return;
        const msg = m.message;
        switch (msg.case) {
          case "welcome":
            summary.welcomes++;
            for (const r of msg.value.openRequests) {
              if (r.status === KioskStatus.ENDED) open.delete(r.requestId);
              else {
                open.add(r.requestId);
                summary.resumed++;
              }
            }
            for (const f of msg.value.openFaults) faults.add(f.code);
            break;
          case "statusUpdate": {
            const u = msg.value;
            if (u.contactId !== "" && !contacts.has(u.contactId)) {
              contacts.add(u.contactId);
              summary.contactsCreated++;
            }
            if (u.status === KioskStatus.AGENT_COMING && !joined.has(u.contactId)) {
              joined.add(u.contactId);
              summary.agentsJoined++;
            } else if (u.status === KioskStatus.CALLBACK_OFFERED) {
              summary.callbacksOffered++;
              if (rand() < 0.3) {
                summary.callbacksAccepted++;
                send({
                  case: "acceptCallback",
                  value: {
                    requestId: u.requestId,
                    phone: `+3247000${String(request).padStart(4, "0")}`,
                  },
                });
              }
            } else if (u.status === KioskStatus.ENDED) {
              summary.ended++;
              open.delete(u.requestId);
            }
            break;
          }
          case "csatQuestion":
            summary.csatQuestions++;
            summary.csatAnswered++;
            send({
              case: "csatAnswer",
              value: { requestId: msg.value.requestId, score: 3 + Math.floor(rand() * 3) },
            });
            break;
          case "faultUpdate":
            if (msg.value.state === KioskFaultState.REPORTED) summary.faultsRaised++;
            else if (msg.value.state === KioskFaultState.ALREADY_REPORTED) summary.faultsDeduped++;
            else if (msg.value.state === KioskFaultState.RESOLVED) {
              summary.faultsResolved++;
              faults.delete(msg.value.code);
            }
            break;
          case "error":
            summary.errors++;
            log(`${device.id}: ${msg.value.code} ${msg.value.message}`);
            break;
          default:
            break;
        }
      });
      s.on("error", (err: ServiceError) => {
        if (stream !== s || stopping) return;
        if (err.code === status.UNAUTHENTICATED) {
          summary.refused++;
          gone = true;
          log(`${device.id}: refused (${err.details}); check its token`);
          return;
        }
        if (err.code !== status.CANCELLED) {
          log(`${device.id}: stream failed (${err.details}); reconnecting`);
          summary.reconnects++;
          setTimeout(() => {
            if (!stopping) connect();
          }, 500).unref();
        }
      });
      s.write({ message: { case: "hello", value: { kioskId: device.id, token: device.token } } });
    };
    connect();
    const tick = () => {
      if (gone || stopping) return;
      if (chance(options.reconnectPerMinute)) {
        summary.reconnects++;
        const old = stream;
        connect();
        old?.cancel();
        return;
      }
      if (open.size === 0 && options.flows.length > 0 && chance(options.helpPerMinute)) {
        const requestId = `sim-${run}-${++request}`;
        open.add(requestId);
        summary.helpRequests++;
        send({
          case: "helpRequest",
          value: {
            requestId,
            flow: options.flows[Math.floor(rand() * options.flows.length)] ?? "",
            identifiers: { kioskCardId: `sim-card-${Math.floor(rand() * 50)}` },
            staffAssisted: rand() < 0.1,
          },
        });
        return;
      }
      if (chance(options.faultPerMinute)) {
        const code = SIM_FAULTS[Math.floor(rand() * SIM_FAULTS.length)] ?? KioskFaultCode.OTHER;
        faults.add(code);
        summary.faultsSent++;
        send({ case: "fault", value: { code, detail: "simulated" } });
        return;
      }
      // A fault is fixed about as often as faults occur.
      const [fixed] = faults;
      if (fixed !== undefined && chance(options.faultPerMinute / 2)) {
        faults.delete(fixed);
        summary.faultsCleared++;
        send({ case: "faultCleared", value: { code: fixed } });
        return;
      }
      summary.heartbeats++;
      send({ case: "heartbeat", value: { sequence: ++heartbeat } });
    };
    const timer = setInterval(tick, tickMs);
    return {
      stop() {
        clearInterval(timer);
        stream?.cancel();
      },
    };
  });

  await new Promise((resolve) => setTimeout(resolve, options.durationMs));
  stopping = true;
  for (const d of devices) d.stop();
  for (const a of agents) a.cancel();
  kiosks.close();
  agentClient?.close();
  return summary;
}

/** Simulated agents: created through AdminService, AVAILABLE, accept and complete every offer. */
async function startAgents(
  options: KioskSimOptions,
  client: GrpcClient<typeof AgentService>,
  metadata: Metadata,
  summary: KioskSimSummary,
): Promise<AgentStream[]> {
  using admin = createGrpcClient(
    AdminService,
    options.target,
    options.credentials ?? credentials.createInsecure(),
  );
  const handleMs = options.handleMs ?? 500;
  const streams: AgentStream[] = [];
  for (let i = 1; i <= (options.agents ?? 0); i++) {
    const agentId = `kiosk-sim-agent-${i}`;
    await admin.putAgent(
      {
        agent: {
          id: agentId,
          displayName: `Sim Agent ${i}`,
          complexityTier: 5,
          skills: (options.agentSkills ?? []).map((skill) => ({ skill, proficiency: 5 })),
          authorizations: {
            intermediaryKinds: [IntermediaryKind.PARTNER, IntermediaryKind.CARER],
          },
          channelCapacities: [{ channel: Channel.KIOSK, maxConcurrent: 1 }],
        },
      },
      { metadata },
    );
    const stream = client.connect({ metadata }) as AgentStream;
    streams.push(stream);
    stream.on("error", () => {});
    const withdrawn = new Set<string>();
    stream.on("data", (m: AgentServiceConnectResponse) => {
      // A contact cancelled while offered (a fault cleared on site) is not completed.
      if (m.event.case === "offerWithdrawn") withdrawn.add(m.event.value.offerId);
      if (m.event.case !== "offer") return;
      const { offerId } = m.event.value;
      const contactId = m.event.value.contact?.id ?? "";
      summary.agentsAccepted++;
      stream.write({
        requestId: `acc-${offerId}`,
        command: { case: "acceptOffer", value: { offerId } },
      });
      setTimeout(() => {
        if (stream.writableEnded || withdrawn.delete(offerId)) return;
        stream.write({
          requestId: `wu-${offerId}`,
          command: { case: "startWrapUp", value: { contactId } },
        });
        stream.write({
          requestId: `done-${offerId}`,
          command: {
            case: "completeContact",
            value: { contactId, disposition: { code: "resolved", resolved: true } },
          },
        });
      }, handleMs).unref();
    });
    stream.write({
      command: { case: "hello", value: { agentId, initialState: AgentState.AVAILABLE } },
    });
  }
  return streams;
}
