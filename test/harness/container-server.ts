import { findFreePort } from "./free-port.js";
import { HarnessError } from "./harness-error.js";
import type { ServerHandle, ServiceSpec } from "./server-handle.js";
import { serverUrl } from "./server-handle.js";
import { waitFor } from "./wait-for.js";

// testcontainers pulls in dockerode; import it lazily so runs with local binaries stay fast.
type Testcontainers = typeof import("testcontainers");
type StartedTestContainer = import("testcontainers").StartedTestContainer;

/** True when a Docker (or compatible) engine answers; testcontainers probes the usual places. */
export async function isContainerRuntimeReachable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import("testcontainers");
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `spec.image` with the server port bound to a fixed free host port, so `restart()` keeps
 * the URL. Data lives in the container's filesystem, which survives restart and kill.
 */
export async function startContainerServer(spec: ServiceSpec): Promise<ServerHandle> {
  const testcontainers = await import("testcontainers");
  const hostPort = await findFreePort();
  const container = await new testcontainers.GenericContainer(spec.image)
    .withCommand([...spec.containerCommand])
    .withExposedPorts({ container: spec.containerPort, host: hostPort })
    .withStartupTimeout(spec.startTimeoutMs)
    .start();
  const server = new ContainerServer(spec, container, testcontainers);
  try {
    await server.waitUntilReady();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

class ContainerServer implements ServerHandle {
  readonly backend = "container";
  readonly pid = undefined;
  readonly dataDir = undefined;
  readonly host: string;
  readonly port: number;
  readonly url: string;
  #stopping: Promise<void> | undefined;

  constructor(
    private readonly spec: ServiceSpec,
    private readonly container: StartedTestContainer,
    private readonly testcontainers: Testcontainers,
  ) {
    this.host = container.getHost();
    this.port = container.getMappedPort(spec.containerPort);
    this.url = serverUrl(spec.urlScheme, this.host, this.port);
  }

  waitUntilReady(): Promise<void> {
    return waitFor(() => this.spec.probe(this.host, this.port, this.spec.startTimeoutMs), {
      timeoutMs: this.spec.startTimeoutMs,
      what: `${this.spec.image} at ${this.url}`,
    });
  }

  stop(): Promise<void> {
    this.#stopping ??= this.container
      .stop({ timeout: this.spec.stopTimeoutMs, remove: true, removeVolumes: true })
      .then(() => undefined);
    return this.#stopping;
  }

  async restart(): Promise<void> {
    this.#assertNotStopped("restart");
    // `docker restart` also starts a killed container, with its filesystem and port binding.
    await this.container.restart({ timeout: this.spec.stopTimeoutMs });
    await this.waitUntilReady();
  }

  async kill(): Promise<void> {
    this.#assertNotStopped("kill");
    const client = await this.testcontainers.getContainerRuntimeClient();
    await client.container.getById(this.container.getId()).kill({ signal: "SIGKILL" });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  #assertNotStopped(operation: string): void {
    if (this.#stopping !== undefined) {
      throw new HarnessError("stopped", `cannot ${operation} ${this.url}: it was stopped`);
    }
  }
}
