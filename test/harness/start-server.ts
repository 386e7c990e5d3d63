import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { isContainerRuntimeReachable, startContainerServer } from "./container-server.js";
import { useExternalServer } from "./external-server.js";
import { HarnessError } from "./harness-error.js";
import { startProcessServer } from "./process-server.js";
import type { ServerHandle, ServiceSpec } from "./server-handle.js";

/** An external server to use instead of starting one, and the variable it came from. */
export interface ExternalChoice {
  readonly url: string | undefined;
  readonly variable: string;
  readonly defaultPort: number;
}

/**
 * Picks the backend in a fixed order: the external URL if given, else the local binary,
 * else a container. Local binaries come first because they start in milliseconds.
 */
export async function startServer(
  spec: ServiceSpec,
  external: ExternalChoice,
): Promise<ServerHandle> {
  if (external.url !== undefined) {
    return useExternalServer(spec.name, external.url, external.defaultPort, external.variable);
  }
  if (isExecutable(spec.binary)) return startProcessServer(spec);
  if (await isContainerRuntimeReachable()) return startContainerServer(spec);
  throw new HarnessError(
    "no-backend",
    `cannot start ${spec.name}: ${spec.binary} is not on PATH and no Docker engine is reachable. ` +
      `Install ${spec.binary} (see .ci/run), start Docker, or set ${external.variable}.`,
  );
}

/** Whether `binary` (a name looked up on PATH, or a path) can be executed. */
export function isExecutable(binary: string): boolean {
  const candidates = binary.includes("/")
    ? [binary]
    : (process.env.PATH ?? "")
        .split(delimiter)
        .filter((dir) => dir !== "")
        .map((dir) => join(dir, binary));
  return candidates.some((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
