import { create, createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import {
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
} from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  ContactService,
  file_grpc_health_v1_health,
  file_switchboard_v1_contact_service,
  ServerReflection,
  type ServerReflectionRequest,
  type ServerReflectionResponse,
} from "../../proto/index.js";
import { addReflection, createGrpcClient } from "./adapter.js";

let server: grpc.Server;
let address: string;

beforeAll(async () => {
  server = new grpc.Server();
  addReflection(server, [file_switchboard_v1_contact_service, file_grpc_health_v1_health]);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  address = `127.0.0.1:${port}`;
});

afterAll(() => server.forceShutdown());

/** One request/response exchange on a fresh ServerReflectionInfo stream. */
async function ask(
  messageRequest: ServerReflectionRequest["messageRequest"],
): Promise<ServerReflectionResponse["messageResponse"]> {
  using client = createGrpcClient(ServerReflection, address, grpc.credentials.createInsecure());
  const call = client.serverReflectionInfo({ timeoutMs: 5_000 });
  call.write({ messageRequest });
  call.end();
  const responses: ServerReflectionResponse[] = [];
  for await (const response of call) responses.push(response);
  expect(responses).toHaveLength(1);
  return responses[0]!.messageResponse;
}

it("lists the services of the given files", async () => {
  const response = await ask({ case: "listServices", value: "" });
  expect(response.case).toBe("listServicesResponse");
  const names =
    response.case === "listServicesResponse" ? response.value.service.map((s) => s.name) : [];
  expect(names.sort()).toEqual(["grpc.health.v1.Health", "switchboard.v1.ContactService"]);
});

it("serves descriptors complete enough to rebuild the service and its messages", async () => {
  const response = await ask({ case: "fileContainingSymbol", value: ContactService.typeName });
  if (response.case !== "fileDescriptorResponse") throw new Error(`unexpected ${response.case}`);
  const files = response.value.fileDescriptorProto.map((bytes) =>
    fromBinary(FileDescriptorProtoSchema, bytes),
  );
  expect(files.map((f) => f.name)).toEqual(
    expect.arrayContaining([
      "switchboard/v1/contact_service.proto",
      "switchboard/v1/contact.proto",
      "google/protobuf/timestamp.proto",
    ]),
  );
  // Rebuilding a registry from the response alone proves the import closure is complete.
  const byName = new Map(files.map((file) => [file.name, file]));
  const ordered: FileDescriptorProto[] = [];
  const visit = (name: string) => {
    const file = byName.get(name);
    if (file === undefined) throw new Error(`reflection did not send ${name}`);
    if (ordered.includes(file)) return;
    for (const dependency of file.dependency) visit(dependency);
    ordered.push(file);
  };
  visit("switchboard/v1/contact_service.proto");
  const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: ordered }));
  const service = registry.getService(ContactService.typeName);
  expect(service?.methods.map((m) => m.name)).toEqual(ContactService.methods.map((m) => m.name));
  expect(registry.getMessage("switchboard.v1.Contact")?.fields.length).toBeGreaterThan(15);
});

it("answers NOT_FOUND for an unknown symbol", async () => {
  const response = await ask({ case: "fileContainingSymbol", value: "switchboard.v1.Nope" });
  expect(response).toMatchObject({
    case: "errorResponse",
    value: { errorCode: grpc.status.NOT_FOUND },
  });
});
