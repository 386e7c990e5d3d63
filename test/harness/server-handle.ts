/** Where a harness server runs. Only `process` and `container` servers can restart or be killed. */
export type ServerBackend = "process" | "container" | "external";

/**
 * A disposable server for tests. Call `stop()` in `afterAll`/`afterEach`, or hold it with
 * `await using` so it is stopped even when the test fails.
 */
export interface ServerHandle extends AsyncDisposable {
  /** Client URL, e.g. `nats://127.0.0.1:40123` or `redis://127.0.0.1:40124`. */
  readonly url: string;
  readonly host: string;
  /** Stays the same across `restart()`, so clients can reconnect to the same URL. */
  readonly port: number;
  readonly backend: ServerBackend;
  /** pid of the running server process; undefined while it is down or when not a local process. */
  readonly pid: number | undefined;
  /** Host directory with the server's data; undefined for container and external servers. */
  readonly dataDir: string | undefined;
  /**
   * Graceful shutdown (SIGTERM, then SIGKILL after `stopTimeoutMs`), then removes the data
   * directory. Final and idempotent. For an external server it only forgets the handle.
   */
  stop(): Promise<void>;
  /** Graceful shutdown if running, then start again on the same port with the same data. */
  restart(): Promise<void>;
  /** SIGKILL, for fault tests; the data stays so `restart()` can bring the server back. */
  kill(): Promise<void>;
}

/** What differs between NATS and Redis; the backends do the rest. */
export interface ServiceSpec {
  /** Used in messages and temporary directory names. */
  readonly name: "nats" | "redis";
  readonly urlScheme: "nats" | "redis";
  readonly binary: string;
  /** Arguments for the local binary; the same port and directory on every (re)start. */
  readonly binaryArgs: (port: number, dataDir: string) => readonly string[];
  readonly image: string;
  readonly containerPort: number;
  readonly containerCommand: readonly string[];
  /** Resolves once the server answers like a ready server; rejects otherwise. */
  readonly probe: (host: string, port: number, timeoutMs: number) => Promise<void>;
  readonly startTimeoutMs: number;
  readonly stopTimeoutMs: number;
}

export function serverUrl(scheme: string, host: string, port: number): string {
  return `${scheme}://${host}:${port}`;
}
