import { randomUUID } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { connect, type NatsConnection, StringCodec } from "nats";
import { describe, expect, onTestFinished, test } from "vitest";
import {
  externalNatsUrl,
  HarnessError,
  isProcessAlive,
  type ServerHandle,
  startNats,
} from "./index.js";
import { isExecutable } from "./start-server.js";

const codec = StringCodec();
// restart/kill need a server we own; with NATS_URL set the harness only hands out that URL.
const ownsServers = externalNatsUrl() === undefined;
// pid and data directory exist only for a local nats-server, not for the Docker fallback.
const spawnsProcesses = ownsServers && isExecutable("nats-server");

async function connectTo(server: ServerHandle): Promise<NatsConnection> {
  const connection = await connect({ servers: server.url, reconnect: false });
  onTestFinished(async () => {
    if (!connection.isClosed()) await connection.close();
  });
  return connection;
}

/** Creates a uniquely named file-backed stream and publishes one message to it. */
async function publishOne(connection: NatsConnection, text: string): Promise<string> {
  const stream = `HARNESS_${randomUUID().replaceAll("-", "")}`;
  const jsm = await connection.jetstreamManager();
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
  const ack = await connection.jetstream().publish(`${stream}.greeting`, codec.encode(text));
  expect(ack.seq).toBe(1);
  return stream;
}

async function readFirst(connection: NatsConnection, stream: string): Promise<string> {
  const jsm = await connection.jetstreamManager();
  const message = await jsm.streams.getMessage(stream, { seq: 1 });
  return codec.decode(message.data);
}

describe("startNats", () => {
  test("starts JetStream on a free port: publish to a stream and read it back", async () => {
    await using server = await startNats();
    if (ownsServers) {
      expect(server.backend).not.toBe("external");
      expect([4222, 6379]).not.toContain(server.port);
    }
    const connection = await connectTo(server);
    const stream = await publishOne(connection, "hello");
    expect(await readFirst(connection, stream)).toBe("hello");
  });

  test.skipIf(!ownsServers)("restart keeps the port and the JetStream data", async () => {
    await using server = await startNats();
    const portBefore = server.port;
    const before = await connectTo(server);
    const stream = await publishOne(before, "survives restart");
    await before.close();

    await server.restart();

    expect(server.port).toBe(portBefore);
    const after = await connectTo(server);
    expect(await readFirst(after, stream)).toBe("survives restart");
  });

  test.skipIf(!spawnsProcesses)(
    "kill ends the process; clients see it gone; restart recovers the data",
    async () => {
      await using server = await startNats();
      const pid = server.pid!;
      expect(isProcessAlive(pid)).toBe(true);
      const connection = await connectTo(server);
      const stream = await publishOne(connection, "survives kill");

      await server.kill();

      expect(isProcessAlive(pid)).toBe(false);
      expect(server.pid).toBeUndefined();
      await connection.closed();
      expect(connection.isClosed()).toBe(true);
      await expect(connect({ servers: server.url, reconnect: false })).rejects.toThrow();

      await server.restart();
      const again = await connectTo(server);
      expect(await readFirst(again, stream)).toBe("survives kill");
    },
  );

  test.skipIf(!spawnsProcesses)(
    "stop removes the process and the data directory, and is final",
    async () => {
      const server = await startNats();
      const pid = server.pid!;
      const dataDir = server.dataDir!;
      await publishOne(await connectTo(server), "to be removed");
      expect(readdirSync(dataDir)).not.toHaveLength(0);

      await server.stop();

      expect(isProcessAlive(pid)).toBe(false);
      expect(existsSync(dataDir)).toBe(false);
      await expect(server.restart()).rejects.toMatchObject({ code: "stopped" });
      await expect(server.stop()).resolves.toBeUndefined();
    },
  );

  test.skipIf(!spawnsProcesses)(
    "a server that exits at once fails the start with its exit status",
    async () => {
      // /bin/false stands in for a nats-server that rejects its arguments.
      const failure = startNats({ binary: "/bin/false" });
      await expect(failure).rejects.toBeInstanceOf(HarnessError);
      await expect(failure).rejects.toMatchObject({ code: "start-failed" });
      await expect(failure).rejects.toThrow(/process exited \(1\)/);
    },
  );
});
