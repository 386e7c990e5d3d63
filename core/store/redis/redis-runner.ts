import type { Redis } from "ioredis";
import { ErrorCode, SwitchboardError } from "../../errors.js";
import type { Logger } from "../../log.js";

/** A Lua script and how many of its arguments are keys. */
export interface ScriptSpec {
  readonly lua: string;
  readonly numberOfKeys: number;
}

type ScriptFn = (...args: (string | number | Buffer)[]) => Promise<unknown>;

/**
 * Runs every Redis call of the store: scripts via ioredis `defineCommand` (EVALSHA, falling
 * back to EVAL after a restart emptied the script cache), a deadline so no call hangs, and one
 * mapping of failures to SwitchboardError.
 */
export interface RedisRunner {
  readonly client: Redis;
  /** `script` must be one of the specs passed to createRedisRunner. */
  script(
    name: string,
    args: readonly (string | number | Buffer)[],
    binary?: boolean,
  ): Promise<unknown>;
  run<T>(what: string, call: () => Promise<T>): Promise<T>;
}

export function createRedisRunner(
  client: Redis,
  scripts: Readonly<Record<string, ScriptSpec>>,
  logger: Logger,
  callTimeoutMs: number,
): RedisRunner {
  // Prefixed so a client shared with other code keeps its own command names.
  for (const [name, spec] of Object.entries(scripts)) {
    client.defineCommand(`sbStore_${name}`, spec);
  }
  const commands = client as unknown as Record<string, ScriptFn | undefined>;

  const run = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new SwitchboardError(
            ErrorCode.Unavailable,
            `redis ${what}: no answer within ${callTimeoutMs} ms (outcome unknown; retry is safe)`,
          ),
        );
      }, callTimeoutMs);
    });
    try {
      return await Promise.race([call(), deadline]);
    } catch (error) {
      const mapped = mapRedisError(what, error);
      if (mapped.code === ErrorCode.Internal)
        logger.error({ err: error, what }, "redis call failed");
      throw mapped;
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    client,
    run,
    script(name, args, binary = false) {
      const fn = commands[`sbStore_${name}${binary ? "Buffer" : ""}`];
      if (!fn) throw new SwitchboardError(ErrorCode.Internal, `unknown store script ${name}`);
      return run(name, () => fn.apply(client, [...args]));
    },
  };
}

// Server states that pass by themselves; everything else Redis itself answers is our bug.
const transientReplies = ["LOADING", "BUSY", "MASTERDOWN", "READONLY", "TRYAGAIN", "CLUSTERDOWN"];

function mapRedisError(what: string, error: unknown): SwitchboardError {
  if (error instanceof SwitchboardError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const isReply = error instanceof Error && error.name === "ReplyError";
  if (isReply && !transientReplies.some((prefix) => message.startsWith(prefix))) {
    return new SwitchboardError(ErrorCode.Internal, `redis ${what}: ${message}`, { cause: error });
  }
  // Not connected, connection lost mid-call, or retries exhausted: the store is unreachable.
  return new SwitchboardError(ErrorCode.Unavailable, `redis ${what}: ${message}`, { cause: error });
}
