import { HarnessError } from "./harness-error.js";
import type { ServerHandle } from "./server-handle.js";

/**
 * A server someone else runs (NATS_URL / REDIS_URL). The harness neither probes nor owns it:
 * the URL is handed to tests untouched, `stop()` only forgets it, and restart/kill refuse.
 */
export function useExternalServer(
  name: "nats" | "redis",
  url: string,
  defaultPort: number,
  variable: string,
): ServerHandle {
  return new ExternalServer(name, url, defaultPort, variable);
}

class ExternalServer implements ServerHandle {
  readonly backend = "external";
  readonly pid = undefined;
  readonly dataDir = undefined;
  readonly host: string;
  readonly port: number;

  constructor(
    private readonly name: string,
    readonly url: string,
    defaultPort: number,
    private readonly variable: string,
  ) {
    // nats URLs may list several servers; the first one describes host and port.
    const first = url.split(",")[0]?.trim() ?? url;
    let parsed: URL;
    try {
      parsed = new URL(first.includes("://") ? first : `${name}://${first}`);
    } catch (error) {
      throw new HarnessError("external-server", `${variable} is not a valid URL: ${url}`, {
        cause: error,
      });
    }
    this.host = parsed.hostname;
    this.port = parsed.port === "" ? defaultPort : Number(parsed.port);
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  restart(): Promise<void> {
    return Promise.reject(this.#refuse("restarted"));
  }

  kill(): Promise<void> {
    return Promise.reject(this.#refuse("killed"));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  #refuse(what: string): HarnessError {
    return new HarnessError(
      "external-server",
      `the ${this.name} server at ${this.url} comes from ${this.variable} and is external: ` +
        `it cannot be ${what} by the test harness. Skip tests that need this when ` +
        `${this.variable} is set.`,
    );
  }
}
