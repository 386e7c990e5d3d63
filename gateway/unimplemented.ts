import type { DescService } from "@bufbuild/protobuf";
import { ErrorCode, SwitchboardError } from "../core/index.js";
import type { ServiceImpl } from "./grpc/adapter.js";

/**
 * A placeholder for a service whose methods are not built yet: every method answers
 * UNIMPLEMENTED naming itself, so clients learn exactly what is missing, and reflection still
 * lists the service with its full contract. Never fake data.
 */
export function createUnimplementedService<S extends DescService>(
  service: S,
  note: string,
): ServiceImpl<S> {
  const impl: Record<string, () => Promise<never>> = {};
  for (const method of service.methods) {
    impl[method.localName] = async () => {
      throw new SwitchboardError(
        ErrorCode.Unimplemented,
        `${service.typeName}/${method.name} is not built yet (${note})`,
      );
    };
  }
  return impl as unknown as ServiceImpl<S>;
}
