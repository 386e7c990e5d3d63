import type { TestProject } from "vitest/node";
import { startNats } from "./nats-server.js";
import { startRedis } from "./redis-server.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Shared NATS (JetStream) for the whole run: `inject("natsUrl")`. Use unique stream names. */
    natsUrl: string;
    /** Shared Redis for the whole run: `inject("redisUrl")`. Use unique key prefixes. */
    redisUrl: string;
  }
}

/**
 * vitest globalSetup: one NATS and one Redis for every test file, stopped after the run.
 * Tests that kill or restart a server start their own with `startNats()` / `startRedis()`.
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [nats, redis] = await Promise.allSettled([startNats(), startRedis()]);
  const teardown = async (): Promise<void> => {
    const started = [nats, redis].flatMap((result) =>
      result.status === "fulfilled" ? [result.value] : [],
    );
    await Promise.all(started.map((server) => server.stop()));
  };
  // Started in parallel to keep every `npm test` fast; a half-started pair must not leak.
  if (nats.status === "rejected") {
    await teardown();
    throw nats.reason;
  }
  if (redis.status === "rejected") {
    await teardown();
    throw redis.reason;
  }
  project.provide("natsUrl", nats.value.url);
  project.provide("redisUrl", redis.value.url);
  return teardown;
}
