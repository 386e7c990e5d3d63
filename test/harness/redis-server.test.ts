import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { existsSync, readdirSync } from "node:fs";
import { Redis } from "ioredis";
import { describe, expect, onTestFinished, test } from "vitest";
import { externalRedisUrl, isProcessAlive, type ServerHandle, startRedis } from "./index.js";
import { isExecutable } from "./start-server.js";

// restart/kill need a server we own; with REDIS_URL set the harness only hands out that URL.
const ownsServers = externalRedisUrl() === undefined;
// pid and data directory exist only for a local redis-server, not for the Docker fallback.
const spawnsProcesses = ownsServers && isExecutable("redis-server");

/** A client that fails fast instead of retrying, so a dead server shows up as an error. */
function connectTo(server: ServerHandle): Redis {
  const client = new Redis(server.url, {
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    lazyConnect: true,
  });
  // Failures surface as rejected commands; without a listener ioredis would also log them.
  client.on("error", () => undefined);
  onTestFinished(() => client.disconnect());
  return client;
}

describe("startRedis", () => {
  test("starts on a free port: SET then GET", async () => {
    await using server = await startRedis();
    if (ownsServers) {
      expect(server.backend).not.toBe("external");
      expect([4222, 6379]).not.toContain(server.port);
    }
    const client = connectTo(server);
    await client.connect();
    const key = `harness:${randomUUID()}`;
    expect(await client.set(key, "hello")).toBe("OK");
    expect(await client.get(key)).toBe("hello");
    await client.del(key);
  });

  test.skipIf(!ownsServers)("restart keeps the port and the data", async () => {
    await using server = await startRedis();
    const portBefore = server.port;
    const before = connectTo(server);
    await before.connect();
    await before.set("survivor", "restart");
    before.disconnect();

    await server.restart();

    expect(server.port).toBe(portBefore);
    const after = connectTo(server);
    await after.connect();
    expect(await after.get("survivor")).toBe("restart");
  });

  test.skipIf(!spawnsProcesses)(
    "kill ends the process; clients see it gone; restart recovers the data",
    async () => {
      await using server = await startRedis();
      const pid = server.pid!;
      expect(isProcessAlive(pid)).toBe(true);
      const client = connectTo(server);
      await client.connect();
      await client.set("survivor", "kill");
      const ended = once(client, "end");

      await server.kill();

      expect(isProcessAlive(pid)).toBe(false);
      expect(server.pid).toBeUndefined();
      await ended;
      await expect(client.get("survivor")).rejects.toThrow();

      await server.restart();
      const again = connectTo(server);
      await again.connect();
      expect(await again.get("survivor")).toBe("kill");
    },
  );

  test.skipIf(!spawnsProcesses)(
    "stop removes the process and the data directory, and is final",
    async () => {
      const server = await startRedis();
      const pid = server.pid!;
      const dataDir = server.dataDir!;
      expect(readdirSync(dataDir)).not.toHaveLength(0);

      await server.stop();

      expect(isProcessAlive(pid)).toBe(false);
      expect(existsSync(dataDir)).toBe(false);
      await expect(server.kill()).rejects.toMatchObject({ code: "stopped" });
    },
  );

  test.skipIf(!ownsServers)("appendfsync: the durable default, or the one asked for", async () => {
    await using durable = await startRedis();
    await using relaxed = await startRedis({ appendfsync: "everysec" });
    const fsyncOf = async (server: ServerHandle): Promise<string | undefined> => {
      const client = connectTo(server);
      await client.connect();
      const reply = (await client.config("GET", "appendfsync")) as string[];
      return reply[1];
    };
    expect(await fsyncOf(durable)).toBe("always");
    expect(await fsyncOf(relaxed)).toBe("everysec");
  });
});
