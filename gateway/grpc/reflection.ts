import { type DescFile, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { Server } from "@grpc/grpc-js";
import { ReflectionService } from "@grpc/reflection";

/** What @grpc/reflection expects: a proto-loader PackageDefinition. */
type ReflectionPackageDefinition = ConstructorParameters<typeof ReflectionService>[0];

/** Options of addReflection. */
export interface ReflectionOptions {
  /**
   * Fully-qualified services to list (e.g. "switchboard.v1.ContactService"). Default: every
   * service declared in `files`.
   */
  services?: string[];
}

/** `files` and everything they import, each once, dependencies first. */
function withDependencies(files: readonly DescFile[]): DescFile[] {
  const seen = new Set<string>();
  const ordered: DescFile[] = [];
  const visit = (file: DescFile) => {
    if (seen.has(file.name)) return;
    seen.add(file.name);
    for (const dependency of file.dependencies) visit(dependency);
    ordered.push(file);
  };
  for (const file of files) visit(file);
  return ordered;
}

/**
 * The PackageDefinition @grpc/reflection reads, built from protobuf-es file descriptors.
 * Its implementation only reads `fileDescriptorProtos` (serialized FileDescriptorProtos) from
 * each entry and indexes every symbol itself, so one entry carrying all files suffices; the
 * other fields only satisfy proto-loader's types.
 */
export function createReflectionPackageDefinition(
  files: readonly DescFile[],
): ReflectionPackageDefinition {
  const fileDescriptorProtos = withDependencies(files).map((file) =>
    Buffer.from(toBinary(FileDescriptorProtoSchema, file.proto)),
  );
  return {
    "switchboard.reflection.AllFiles": {
      format: "Protocol Buffer 3 DescriptorProto",
      type: {},
      fileDescriptorProtos,
    },
  } as unknown as ReflectionPackageDefinition;
}

/**
 * Serves gRPC server reflection (grpc.reflection.v1 and v1alpha) for the services in `files`,
 * so grpcurl, Postman and similar tools can call the gateway without .proto files.
 */
export function addReflection(
  server: Pick<Server, "addService">,
  files: readonly DescFile[],
  options: ReflectionOptions = {},
): void {
  const reflection = new ReflectionService(
    createReflectionPackageDefinition(files),
    options.services === undefined ? {} : { services: options.services },
  );
  reflection.addToServer(server);
}
