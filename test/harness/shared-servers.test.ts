import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { connect, StringCodec } from "nats";
import { describe, expect, inject, test } from "vitest";
import { HarnessError, startNats, startRedis } from "./index.js";

const codec = StringCodec();

describe("servers shared by global-setup", () => {
  test("inject('natsUrl') is a working JetStream server", async () => {
    const connection = await connect({ servers: inject("natsUrl"), reconnect: false });
    const stream = `HARNESS_SHARED_${randomUUID().replaceAll("-", "")}`;
    const jsm = await connection.jetstreamManager();
    try {
      await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
      await connection.jetstream().publish(`${stream}.ping`, codec.encode("shared"));
      const message = await jsm.streams.getMessage(stream, { seq: 1 });
      expect(codec.decode(message.data)).toBe("shared");
    } finally {
      await jsm.streams.delete(stream);
      await connection.close();
    }
  });

  test("inject('redisUrl') is a working Redis", async () => {
    const client = new Redis(inject("redisUrl"), { lazyConnect: true, maxRetriesPerRequest: 0 });
    const key = `harness:shared:${randomUUID()}`;
    try {
      await client.connect();
      await client.set(key, "shared");
      expect(await client.get(key)).toBe("shared");
    } finally {
      await client.del(key);
      client.disconnect();
    }
  });

  test("an external server refuses restart and kill, and stop leaves it running", async () => {
    const nats = await startNats({ externalUrl: inject("natsUrl") });
    const redis = await startRedis({ externalUrl: inject("redisUrl") });
    expect(nats.backend).toBe("external");
    expect(nats.url).toBe(inject("natsUrl"));

    await expect(nats.restart()).rejects.toBeInstanceOf(HarnessError);
    await expect(nats.restart()).rejects.toThrow(/NATS_URL.*cannot be restarted/s);
    await expect(redis.kill()).rejects.toMatchObject({ code: "external-server" });
    await nats.stop();
    await redis.stop();

    const connection = await connect({ servers: inject("natsUrl"), reconnect: false });
    await connection.close();
  });
});
