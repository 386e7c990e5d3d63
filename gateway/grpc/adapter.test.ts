import { create, createFileRegistry, toBinary } from "@bufbuild/protobuf";
import type { GenService } from "@bufbuild/protobuf/codegenv2";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  AgentService,
  ContactEventType,
  ContactSchema,
  ContactService,
  file_switchboard_v1_contact_service,
  type SubmitContactRequestSchema,
  SubmitContactResponseSchema,
} from "../../proto/index.js";
import { addService, createGrpcClient, EncodedMessage, type ServiceImpl } from "./adapter.js";

// A client-streaming service exists nowhere in the contract, so the test builds one at runtime
// from a descriptor reusing contract messages, typed as generated code would type it.
const uploadRegistry = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: "test/upload.proto",
    package: "test.v1",
    syntax: "proto3",
    dependency: ["switchboard/v1/contact_service.proto"],
    service: [
      {
        name: "UploadService",
        method: [
          {
            name: "Upload",
            inputType: ".switchboard.v1.SubmitContactRequest",
            outputType: ".switchboard.v1.SubmitContactResponse",
            clientStreaming: true,
          },
        ],
      },
    ],
  }),
  (name) =>
    name === file_switchboard_v1_contact_service.proto.name
      ? file_switchboard_v1_contact_service
      : undefined,
);
const UploadService = uploadRegistry.getService("test.v1.UploadService") as GenService<{
  upload: {
    methodKind: "client_streaming";
    input: typeof SubmitContactRequestSchema;
    output: typeof SubmitContactResponseSchema;
  };
}>;

const slowCallAborted = vi.fn();

const contacts: ServiceImpl<typeof ContactService> = {
  async submitContact({ request }) {
    if (request.contact?.subject === "slow") {
      await new Promise<void>((resolve) => setTimeout(resolve, 5_000).unref());
    }
    const metadata = request.contact?.channelMetadata ?? {};
    return { contact: { id: "c-1", tenant: "t1", channelMetadata: metadata }, duplicate: false };
  },
  async getContact({ request }) {
    if (request.contactId === "boom") throw new Error("secret internals");
    throw Object.assign(new Error(`contact ${request.contactId} not found`), {
      code: grpc.status.NOT_FOUND,
    });
  },
  async cancelContact({ request }) {
    return { event: { contactId: request.contactId, type: ContactEventType.CANCELLED } };
  },
  async watchContact(call, signal) {
    if (call.request.contactId === "missing") {
      call.write({ event: { contactId: "missing" } });
      throw Object.assign(new Error("contact missing not found"), { code: grpc.status.NOT_FOUND });
    }
    if (call.request.contactId === "hang") {
      await new Promise((resolve) => signal.addEventListener("abort", resolve));
      slowCallAborted();
      return;
    }
    for (const [index, type] of [ContactEventType.CREATED, ContactEventType.QUEUED].entries()) {
      call.write({
        event: { contactId: call.request.contactId, type, sequence: BigInt(index + 1) },
      });
    }
  },
};

const agents: ServiceImpl<typeof AgentService> = {
  async connect(call) {
    for await (const message of call) {
      const { command } = message;
      if (command.case === "hello") {
        call.write({ event: { case: "welcome", value: { agent: { id: command.value.agentId } } } });
      } else {
        call.write({ event: { case: "ack", value: { requestId: message.requestId } } });
      }
    }
  },
};

let server: grpc.Server;
let address: string;

beforeAll(async () => {
  server = new grpc.Server();
  addService(server, ContactService, contacts);
  addService(server, AgentService, agents);
  addService(server, UploadService, {
    async upload(call) {
      const subjects: string[] = [];
      for await (const request of call) subjects.push(request.contact?.subject ?? "");
      return { contact: { subject: subjects.join(",") } };
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  address = `127.0.0.1:${port}`;
});

afterAll(() => server.forceShutdown());

const insecure = () => grpc.credentials.createInsecure();
const statusOf = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ code: grpc.status.OK, details: "" }),
    (error: grpc.ServiceError) => ({ code: error.code, details: error.details }),
  );

describe("typed client and server over grpc-js", () => {
  it("round-trips a unary call, accepting init shapes on both sides", async () => {
    using client = createGrpcClient(ContactService, address, insecure());
    const response = await client.submitContact({
      contact: { idempotencyKey: "k1", subject: "hello", channelMetadata: { "chat.room": "7" } },
    });
    expect(response.$typeName).toBe("switchboard.v1.SubmitContactResponse");
    expect(response.contact?.id).toBe("c-1");
    expect(response.contact?.channelMetadata).toEqual({ "chat.room": "7" });
  });

  it("maps handler errors: gRPC codes kept, anything else INTERNAL without details", async () => {
    using client = createGrpcClient(ContactService, address, insecure());
    expect(await statusOf(client.getContact({ contactId: "x" }))).toEqual({
      code: grpc.status.NOT_FOUND,
      details: "contact x not found",
    });
    expect(await statusOf(client.getContact({ contactId: "boom" }))).toEqual({
      code: grpc.status.INTERNAL,
      details: "internal error",
    });
  });

  it("streams server responses and ends with OK when the handler resolves", async () => {
    using client = createGrpcClient(ContactService, address, insecure());
    const events = [];
    for await (const response of client.watchContact({ contactId: "c-9" })) events.push(response);
    expect(events.map((r) => [r.event?.type, r.event?.sequence])).toEqual([
      [ContactEventType.CREATED, 1n],
      [ContactEventType.QUEUED, 2n],
    ]);
  });

  it("ends a server stream with the status of a rejected handler", async () => {
    using client = createGrpcClient(ContactService, address, insecure());
    const call = client.watchContact({ contactId: "missing" });
    const received: unknown[] = [];
    call.on("data", (response) => received.push(response));
    const error = await new Promise((resolve) => call.on("error", resolve));
    expect(error).toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: "contact missing not found",
    });
    expect(received).toHaveLength(1);
  });

  it("runs a bidirectional stream", async () => {
    using client = createGrpcClient(AgentService, address, insecure());
    const call = client.connect();
    call.write({ command: { case: "hello", value: { agentId: "anna" } } });
    call.write({ requestId: "r1", command: { case: "acceptOffer", value: { offerId: "o1" } } });
    call.end();
    const events = [];
    for await (const response of call) events.push(response.event);
    expect(events).toMatchObject([
      { case: "welcome", value: { agent: { id: "anna" } } },
      { case: "ack", value: { requestId: "r1" } },
    ]);
  });

  it("runs a client stream", async () => {
    using client = createGrpcClient(UploadService, address, insecure());
    const { call, response } = client.upload();
    call.write({ contact: { subject: "a" } });
    call.write({ contact: { subject: "b" } });
    call.end();
    expect((await response).contact?.subject).toBe("a,b");
  });

  it("fails with DEADLINE_EXCEEDED and aborts the server handler's signal", async () => {
    using client = createGrpcClient(ContactService, address, insecure(), { defaultTimeoutMs: 100 });
    const slow = client.submitContact({ contact: { subject: "slow" } });
    expect((await statusOf(slow)).code).toBe(grpc.status.DEADLINE_EXCEEDED);
    const watch = client.watchContact({ contactId: "hang" }, { timeoutMs: 100 });
    const ended = new Promise((resolve) => watch.on("error", resolve));
    expect(await ended).toMatchObject({ code: grpc.status.DEADLINE_EXCEEDED });
    await vi.waitFor(() => expect(slowCallAborted).toHaveBeenCalled());
  });

  it("aborts a unary handler's signal when the client cancels; one that takes none gets none", async () => {
    const cancelled = vi.fn();
    const seen: AbortSignal[] = [];
    const local = new grpc.Server();
    addService(local, ContactService, {
      ...contacts,
      async getContact(_call, signal) {
        await new Promise((resolve) => signal.addEventListener("abort", resolve));
        cancelled();
        return {};
      },
      // Declares no signal: the adapter makes none, and passes one that never aborts.
      async submitContact(...args: unknown[]) {
        seen.push(args[1] as AbortSignal);
        return { contact: { id: "c-2" } };
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      local.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    using client = createGrpcClient(ContactService, `127.0.0.1:${port}`, insecure());
    const controller = new AbortController();
    const get = client.getContact({ contactId: "x" }, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    expect((await statusOf(get)).code).toBe(grpc.status.CANCELLED);
    await vi.waitFor(() => expect(cancelled).toHaveBeenCalled());
    expect((await client.submitContact({ contact: {} })).contact?.id).toBe("c-2");
    expect(seen).toHaveLength(1);
    expect(seen[0]?.aborted).toBe(false);
    local.forceShutdown();
  });

  it("sends EncodedMessage bytes as they are, and refuses another message's bytes", async () => {
    const local = new grpc.Server();
    const bytes = toBinary(
      SubmitContactResponseSchema,
      create(SubmitContactResponseSchema, { contact: { id: "pre-encoded" }, duplicate: true }),
    );
    addService(local, ContactService, {
      ...contacts,
      async submitContact({ request }) {
        return request.contact?.subject === "wrong"
          ? (new EncodedMessage(ContactSchema, bytes) as never)
          : new EncodedMessage(SubmitContactResponseSchema, bytes);
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      local.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    using client = createGrpcClient(ContactService, `127.0.0.1:${port}`, insecure());
    const answer = await client.submitContact({ contact: {} });
    expect(answer.contact?.id).toBe("pre-encoded");
    expect(answer.duplicate).toBe(true);
    const wrong = await statusOf(client.submitContact({ contact: { subject: "wrong" } }));
    expect(wrong.code).not.toBe(grpc.status.OK);
    local.forceShutdown();
  });

  it("cancels a call when the AbortSignal aborts", async () => {
    using client = createGrpcClient(ContactService, address, insecure());
    const controller = new AbortController();
    const slow = client.submitContact(
      { contact: { subject: "slow" } },
      { signal: controller.signal },
    );
    controller.abort();
    expect((await statusOf(slow)).code).toBe(grpc.status.CANCELLED);
  });
});

describe("malformed request bytes", () => {
  // Field 1, length-delimited, with a truncated length varint: not a valid message.
  const garbage = Buffer.from([0x0a, 0xff]);
  const identity = (bytes: Buffer) => bytes;

  it("answer a unary call with INVALID_ARGUMENT, and the server keeps serving", async () => {
    const raw = new grpc.Client(address, insecure());
    const result = await new Promise<grpc.ServiceError | null>((resolve) =>
      raw.makeUnaryRequest(
        "/switchboard.v1.ContactService/SubmitContact",
        identity,
        identity,
        garbage,
        (error) => resolve(error),
      ),
    );
    raw.close();
    expect(result?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(result?.details).toMatch(/cannot decode switchboard\.v1\.SubmitContactRequest/);
    using client = createGrpcClient(ContactService, address, insecure());
    expect((await client.submitContact({ contact: {} })).contact?.id).toBe("c-1");
  });

  it("fail a server stream and a bidi stream with INVALID_ARGUMENT", async () => {
    const raw = new grpc.Client(address, insecure());
    const watch = raw.makeServerStreamRequest(
      "/switchboard.v1.ContactService/WatchContact",
      identity,
      identity,
      garbage,
    );
    const agent = raw.makeBidiStreamRequest(
      "/switchboard.v1.AgentService/Connect",
      identity,
      identity,
    );
    agent.write(garbage);
    const errors = await Promise.all(
      [watch, agent].map((call) => new Promise((resolve) => call.on("error", resolve))),
    );
    raw.close();
    expect(errors).toMatchObject([
      { code: grpc.status.INVALID_ARGUMENT },
      { code: grpc.status.INVALID_ARGUMENT },
    ]);
  });
});

describe("server default deadline", () => {
  it("ends a unary call the client gave no deadline with DEADLINE_EXCEEDED and aborts the handler", async () => {
    const aborted = vi.fn();
    const local = new grpc.Server();
    addService(
      local,
      ContactService,
      {
        ...contacts,
        async submitContact(_call, signal) {
          await new Promise((resolve) => signal.addEventListener("abort", resolve));
          aborted();
          return {};
        },
      },
      { defaultDeadlineMs: 100 },
    );
    const port = await new Promise<number>((resolve, reject) =>
      local.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    // A raw client with no deadline at all: only the server's default can end this call.
    const raw = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const error = await new Promise<grpc.ServiceError | null>((resolve) =>
      raw.makeUnaryRequest(
        "/switchboard.v1.ContactService/SubmitContact",
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.alloc(0),
        (e) => resolve(e),
      ),
    );
    expect(error).toMatchObject({
      code: grpc.status.DEADLINE_EXCEEDED,
      details: "no answer within the server's default deadline of 100 ms",
    });
    expect(aborted).toHaveBeenCalled();
    raw.close();
    local.forceShutdown();
  });
});
