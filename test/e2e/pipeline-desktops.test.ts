import { create, fromBinary, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import {
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServiceDefinition,
} from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import {
  AgentService,
  type AgentServiceConnectRequest,
  AgentServiceConnectRequestSchema,
  type AgentServiceConnectResponse,
  AgentServiceConnectResponseSchema,
} from "../../proto/index.js";
import { waitFor } from "../harness/index.js";
import { openDesktops } from "./pipeline-desktops.js";

// The desktops' over-capacity bookkeeping, against a scripted AgentService: the ack of a
// command says it is durable, not that the router has not applied it yet, so the router's
// next offer may overtake it. An offer that arrives after the wrap-up was sent (the queue has
// no wrap-up time: the router frees the slot as it applies it) is not over capacity; one that
// arrives before is. Under load the e2e fault tests reported the first as over capacity.

type Call = ServerDuplexStream<AgentServiceConnectRequest, AgentServiceConnectResponse>;
type Script = (request: AgentServiceConnectRequest, call: Call) => void;

const connect = AgentService.method.connect;
const definition: ServiceDefinition = {
  connect: {
    path: `/${AgentService.typeName}/${connect.name}`,
    requestStream: true,
    responseStream: true,
    requestSerialize: (m: AgentServiceConnectRequest) =>
      Buffer.from(toBinary(AgentServiceConnectRequestSchema, m)),
    requestDeserialize: (b: Buffer) => fromBinary(AgentServiceConnectRequestSchema, b),
    responseSerialize: (m: AgentServiceConnectResponse) =>
      Buffer.from(toBinary(AgentServiceConnectResponseSchema, m)),
    responseDeserialize: (b: Buffer) => fromBinary(AgentServiceConnectResponseSchema, b),
  },
};

type Init = MessageInitShape<typeof AgentServiceConnectResponseSchema>;
const response = (event: NonNullable<Init["event"]>) =>
  create(AgentServiceConnectResponseSchema, { event });
const offer = (n: number) =>
  response({ case: "offer", value: { offerId: `o${n}`, contact: { id: `c${n}` } } });
const ack = (requestId: string) => response({ case: "ack", value: { requestId } });

let server: Server | undefined;
afterEach(() => {
  server?.forceShutdown();
  server = undefined;
});

/** One agent of capacity 2 whose stream `script` answers; resolves once c1–c3 completed. */
async function run(script: Script) {
  server = new Server();
  server.addService(definition, {
    connect: (call: Call) => {
      call.on("data", (request: AgentServiceConnectRequest) => {
        if (request.command.case === "hello") {
          call.write(response({ case: "welcome", value: {} }));
          call.write(offer(1));
          call.write(offer(2));
          return;
        }
        script(request, call);
      });
      call.on("error", () => undefined);
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server?.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) =>
      err === null ? resolve(p) : reject(err),
    ),
  );
  const desktops = openDesktops(`127.0.0.1:${port}`, ["agent-000"], 2);
  try {
    await desktops.ready;
    await waitFor(
      async () => {
        if (desktops.ledger.completed.size < 3) throw new Error("not all completed");
      },
      { timeoutMs: 5_000, what: "c1–c3 completed" },
    );
    return desktops.ledger;
  } finally {
    desktops.close();
  }
}

describe("desktops' over-capacity check", () => {
  it("an offer that overtakes the ack of the wrap-up that freed its slot is not over capacity", async () => {
    const ledger = await run((request, call) => {
      if (request.requestId === "wu:c1") call.write(offer(3)); // the router applied it first
      call.write(ack(request.requestId));
    });
    expect(ledger.overCapacity).toEqual([]);
  });

  it("an offer before any wrap-up was sent is over capacity, and names what the agent held", async () => {
    const ledger = await run((request, call) => {
      if (request.requestId === "acc:o1") call.write(offer(3));
      call.write(ack(request.requestId));
    });
    expect(ledger.overCapacity).toEqual(["agent-000:c3 while holding c1, c2"]);
  });
});
