import { once } from "node:events";
import { createServer, type Socket, connect as tcpConnect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { coalesceWrites } from "./coalesce-writes.js";

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

async function pair(): Promise<{ client: Socket; reads: Buffer[] }> {
  const reads: Buffer[] = [];
  const server = createServer((s) => s.on("data", (d: Buffer) => reads.push(d)));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  const client = tcpConnect(port, "127.0.0.1");
  await once(client, "connect");
  closers.push(() => {
    client.destroy();
    server.close();
  });
  return { client, reads };
}

describe("coalesceWrites", () => {
  it("sends the writes of one event-loop turn together, in order, and later turns too", async () => {
    const { client, reads } = await pair();
    coalesceWrites(client);
    coalesceWrites(client); // idempotent
    const written: boolean[] = [];
    for (const part of ["a", "b", "c"]) {
      written.push(client.write(part));
      await Promise.resolve(); // a microtask checkpoint between writes, as clients do
    }
    expect(client.writableCorked).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(client.writableCorked).toBe(0);
    client.write("d");
    await new Promise((r) => setTimeout(r, 50));
    expect(Buffer.concat(reads).toString()).toBe("abcd");
    expect(written).toEqual([true, true, true]);
  });

  it("leaves anything that is not a socket alone", () => {
    expect(() => coalesceWrites(undefined)).not.toThrow();
    expect(() => coalesceWrites({ write: 1 })).not.toThrow();
  });
});
