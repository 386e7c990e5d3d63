import { describe, inject, it } from "vitest";
import { externalRedisUrl, startRedis, waitForHealth } from "../../test/harness/index.js";
import { createLogger } from "../log.js";
import { createRedisHandle } from "./redis-connection.js";

const logger = createLogger({ level: "silent" });

describe("redis handle", () => {
  it("connects and reports up", async () => {
    const redis = createRedisHandle({ url: inject("redisUrl"), logger });
    await waitForHealth(redis.health, "up");
    await redis.close();
  });

  it.skipIf(externalRedisUrl() !== undefined)(
    "reports down while Redis is gone and recovers by itself",
    async () => {
      await using server = await startRedis();
      const redis = createRedisHandle({ url: server.url, logger, maxReconnectDelayMs: 200 });
      await waitForHealth(redis.health, "up");
      await server.kill();
      await waitForHealth(redis.health, "down");
      await server.restart();
      await waitForHealth(redis.health, "up");
      await redis.close();
    },
  );
});
