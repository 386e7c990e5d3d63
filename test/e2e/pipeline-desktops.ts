import type { MessageInitShape } from "@bufbuild/protobuf";
import { type ClientDuplexStream, credentials } from "@grpc/grpc-js";
import { createGrpcClient } from "../../gateway/index.js";
import {
  AgentService,
  type AgentServiceConnectRequestSchema,
  type AgentServiceConnectResponse,
  AgentState,
} from "../../proto/index.js";

type Request = MessageInitShape<typeof AgentServiceConnectRequestSchema>;
type Stream = ClientDuplexStream<Request, AgentServiceConnectResponse>;
type Command = NonNullable<Request["command"]>;

/**
 * What every agent desktop saw, by contact id. The checks compare it with what the platform
 * was told ("acknowledged"): the guarantees of DESIGN §3 are observed from outside only.
 */
export interface AgentLedger {
  /** contactId → every offer received for it (redeliveries of one offerId included). */
  readonly offers: Map<string, { agentId: string; offerId: string }[]>;
  readonly withdrawn: Set<string>;
  /** contactId → how many CompleteContact commands were acknowledged for it. */
  readonly completed: Map<string, number>;
  /**
   * Offers that arrived while the agent already held `capacity` contacts (offered, and no
   * wrap-up sent for them yet), each with the contacts it held then.
   */
  readonly overCapacity: string[];
  /** CommandErrors other than UNAVAILABLE (which is retried), and streams that failed. */
  readonly commandErrors: string[];
  /** Contacts offered under two live offer ids, or to two agents. */
  doubleOffers(): string[];
}

export interface Desktops {
  readonly ledger: AgentLedger;
  /** Resolves once every agent got its welcome. */
  readonly ready: Promise<void>;
  close(): void;
}

const RETRY_MS = 200;

/**
 * Opens one AgentService.Connect stream per agent, logs in AVAILABLE, and handles each offer
 * at once: accept → wrap-up → complete, one command after the other's ack (the gateway only
 * lets an agent complete what it was assigned). A command refused UNAVAILABLE is sent again
 * with the same request id: that is the desktop's side of the idempotency contract.
 */
export function openDesktops(address: string, agentIds: readonly string[], capacity: number) {
  const client = createGrpcClient(AgentService, address, credentials.createInsecure());
  const ledger = newLedger();
  const streams: Stream[] = [];
  const welcomes = agentIds.map((agentId) => {
    const stream = client.connect() as Stream;
    streams.push(stream);
    const held = new Set<string>();
    const pending = new Map<string, { request: Request; then?: () => void }>();
    const send = (requestId: string, command: Command, then?: () => void) => {
      const request: Request = { requestId, command };
      pending.set(requestId, then === undefined ? { request } : { request, then });
      stream.write(request);
    };
    const complete = (contactId: string) => {
      // Released when the wrap-up is sent, not when it is acked: the ack only says the command
      // is durable. The router may apply it first — the queue has no wrap-up time, so that
      // ends the contact and frees the slot at once — and the next offer can reach this
      // stream before the ack does (seen under load: the ack waits for JetStream's PubAck,
      // the offer does not). Counting the contact until the ack made that an "over capacity".
      held.delete(contactId);
      send(`wu:${contactId}`, { case: "startWrapUp", value: { contactId } }, () =>
        send(
          `done:${contactId}`,
          {
            case: "completeContact",
            value: { contactId, disposition: { code: "resolved", resolved: true } },
          },
          () => ledger.completed.set(contactId, (ledger.completed.get(contactId) ?? 0) + 1),
        ),
      );
    };
    return new Promise<void>((welcomed, failed) => {
      // Before the welcome an error fails the start; after it, the checks on the ledger tell.
      stream.on("error", (err: Error) => {
        ledger.commandErrors.push(`${agentId} stream: ${err.message}`);
        failed(err);
      });
      stream.on("data", (m: AgentServiceConnectResponse) => {
        const e = m.event;
        switch (e.case) {
          case "welcome":
            welcomed();
            break;
          case "offer": {
            const contactId = e.value.contact?.id ?? "";
            const seen = ledger.offers.get(contactId) ?? [];
            ledger.offers.set(contactId, [...seen, { agentId, offerId: e.value.offerId }]);
            if (seen.some((o) => o.offerId === e.value.offerId)) break; // a redelivery
            if (held.size >= capacity)
              ledger.overCapacity.push(
                `${agentId}:${contactId} while holding ${[...held].join(", ")}`,
              );
            held.add(contactId);
            const { offerId } = e.value;
            send(`acc:${offerId}`, { case: "acceptOffer", value: { offerId } }, () =>
              complete(contactId),
            );
            break;
          }
          case "offerWithdrawn":
            ledger.withdrawn.add(e.value.offerId);
            held.delete(e.value.contactId);
            break;
          case "ack": {
            const p = pending.get(e.value.requestId);
            pending.delete(e.value.requestId);
            p?.then?.();
            break;
          }
          case "error": {
            const p = pending.get(e.value.requestId);
            if (p !== undefined && e.value.code === "UNAVAILABLE") {
              setTimeout(() => stream.write(p.request), RETRY_MS).unref();
              break;
            }
            pending.delete(e.value.requestId);
            ledger.commandErrors.push(`${agentId} ${e.value.requestId}: ${e.value.message}`);
            break;
          }
          default:
            break;
        }
      });
      stream.write({
        command: { case: "hello", value: { agentId, initialState: AgentState.AVAILABLE } },
      });
    });
  });
  return {
    ledger,
    ready: Promise.all(welcomes).then(() => undefined),
    close() {
      for (const s of streams) s.cancel();
      client.close();
    },
  } satisfies Desktops;
}

function newLedger(): AgentLedger {
  const offers = new Map<string, { agentId: string; offerId: string }[]>();
  const withdrawn = new Set<string>();
  return {
    offers,
    withdrawn,
    completed: new Map(),
    overCapacity: [],
    commandErrors: [],
    doubleOffers() {
      const out: string[] = [];
      for (const [contactId, list] of offers) {
        // A withdrawn offer may legitimately be followed by a new one, so only live ones count.
        const live = new Set(list.filter((o) => !withdrawn.has(o.offerId)).map((o) => o.offerId));
        if (live.size > 1)
          out.push(`${contactId}: ${list.map((o) => `${o.agentId}/${o.offerId}`).join(", ")}`);
      }
      return out;
    },
  };
}
