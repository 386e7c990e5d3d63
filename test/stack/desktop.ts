import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ClientDuplexStream, ServiceError } from "@grpc/grpc-js";
import {
  AdminService,
  AgentService,
  type AgentServiceConnectRequestSchema,
  type AgentServiceConnectResponse,
  AgentState,
  Channel,
} from "../../proto/index.js";
import { waitUntil } from "../harness/index.js";
import type { Stack } from "./stack.js";

type Request = MessageInitShape<typeof AgentServiceConnectRequestSchema>;
type Stream = ClientDuplexStream<Request, AgentServiceConnectResponse>;
type EventCase = NonNullable<AgentServiceConnectResponse["event"]["case"]>;
export type DesktopCommand = NonNullable<Request["command"]>;

/** An agent desktop on a real AgentService.Connect stream, for adapter tests. */
export interface Desktop {
  readonly agentId: string;
  /** Every message received so far. */
  readonly seen: AgentServiceConnectResponse[];
  /** Sends a command with the given request id (default: a counter). */
  send(command: DesktopCommand, requestId?: string): string;
  /**
   * The next message of `kind` not taken yet (in arrival order), waiting up to `timeoutMs`.
   * Returns its value (e.g. the Offer for "offer").
   */
  next<K extends EventCase>(
    kind: K,
    timeoutMs?: number,
  ): Promise<Extract<AgentServiceConnectResponse["event"], { case: K }>["value"]>;
  /** Accepts the next offer and waits for the ack; returns the contact id. */
  acceptNext(timeoutMs?: number): Promise<string>;
  /** Wrap-up then complete with `disposition` (code "resolved" by default), acks awaited. */
  complete(contactId: string, disposition?: { code?: string; csat?: number }): Promise<void>;
  close(): void;
  /** Resolves when the stream ends (with the error, if any). */
  readonly ended: Promise<ServiceError | undefined>;
}

export interface AgentProfile {
  readonly skills?: readonly { skill: string; proficiency: number }[];
  /** Default: 1 voice, 3 chats, 5 emails, 1 kiosk. */
  readonly capacities?: readonly { channel: Channel; maxConcurrent: number }[];
  readonly displayName?: string;
  readonly languages?: readonly string[];
  /** AdminService token (omit in open mode). */
  readonly adminToken?: string;
}

/** Creates (or replaces) the agent through AdminService. */
export async function putAgent(stack: Stack, agentId: string, profile: AgentProfile = {}) {
  await stack.client(AdminService, profile.adminToken).putAgent({
    agent: {
      id: agentId,
      displayName: profile.displayName ?? agentId,
      skills: [...(profile.skills ?? [])],
      languages: [...(profile.languages ?? [])],
      channelCapacities: [
        ...(profile.capacities ?? [
          { channel: Channel.VOICE, maxConcurrent: 1 },
          { channel: Channel.CHAT, maxConcurrent: 3 },
          { channel: Channel.EMAIL, maxConcurrent: 5 },
          { channel: Channel.KIOSK, maxConcurrent: 1 },
        ]),
      ],
    },
  });
}

/**
 * Logs the agent in AVAILABLE on a real stream (creating it first with `putAgent` unless
 * `profile` is null) and waits for the welcome.
 */
export async function connectAgent(
  stack: Stack,
  agentId: string,
  profile: AgentProfile | null = {},
  token?: string,
): Promise<Desktop> {
  if (profile !== null) await putAgent(stack, agentId, profile);
  const stream = stack.client(AgentService, token).connect() as Stream;
  const seen: AgentServiceConnectResponse[] = [];
  const taken = new Set<number>();
  const ended = new Promise<ServiceError | undefined>((resolve) => {
    stream.on("data", (m: AgentServiceConnectResponse) => seen.push(m));
    stream.on("end", () => resolve(undefined));
    stream.on("error", (e: ServiceError) => resolve(e));
  });
  let counter = 0;
  const send = (command: DesktopCommand, requestId = `r${++counter}`) => {
    stream.write({ requestId, command });
    return requestId;
  };
  const next: Desktop["next"] = async (kind, timeoutMs = 10_000) => {
    const find = () => seen.findIndex((m, i) => !taken.has(i) && m.event.case === kind);
    await waitUntil(`agent ${agentId}: ${kind}`, () => find() >= 0, timeoutMs);
    const index = find();
    taken.add(index);
    return seen[index]?.event.value as never;
  };
  const ackOf = async (requestId: string, timeoutMs = 10_000) => {
    await waitUntil(
      `agent ${agentId}: answer to ${requestId}`,
      () =>
        seen.some(
          (m) =>
            (m.event.case === "ack" || m.event.case === "error") &&
            m.event.value.requestId === requestId,
        ),
      timeoutMs,
    );
    const answer = seen.find(
      (m) =>
        (m.event.case === "ack" || m.event.case === "error") &&
        m.event.value.requestId === requestId,
    );
    if (answer?.event.case === "error") {
      throw new Error(
        `${requestId} refused: ${answer.event.value.code} ${answer.event.value.message}`,
      );
    }
  };
  send({ case: "hello", value: { agentId, initialState: AgentState.AVAILABLE, client: "test" } });
  await next("welcome");
  return {
    agentId,
    seen,
    ended,
    send,
    next,
    async acceptNext(timeoutMs) {
      const offer = await next("offer", timeoutMs);
      await ackOf(send({ case: "acceptOffer", value: { offerId: offer.offerId } }));
      return offer.contact?.id ?? "";
    },
    async complete(contactId, disposition = {}) {
      await ackOf(send({ case: "startWrapUp", value: { contactId } }));
      await ackOf(
        send({
          case: "completeContact",
          value: {
            contactId,
            disposition: {
              code: disposition.code ?? "resolved",
              resolved: true,
              csat: disposition.csat ?? 0,
            },
          },
        }),
      );
    },
    close: () => stream.end(),
  };
}
