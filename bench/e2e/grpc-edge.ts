import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import { percentile, runOpenLoop, settle } from "./open-loop.js";

const raw = (b: Buffer) => b;
/** Raw bytes both ways: no protobuf, no Switchboard code, only grpc-js and HTTP/2. */
export const EDGE_SERVICE = {
  submit: {
    path: "/bench.Edge/Submit",
    requestStream: false,
    responseStream: false,
    requestSerialize: raw,
    requestDeserialize: raw,
    responseSerialize: raw,
    responseDeserialize: raw,
  },
  listen: {
    path: "/bench.Edge/Listen",
    requestStream: false,
    responseStream: true,
    requestSerialize: raw,
    requestDeserialize: raw,
    responseSerialize: raw,
    responseDeserialize: raw,
  },
} as const;

export interface EdgeResult {
  readonly name: "grpc-edge";
  readonly sent: number;
  readonly received: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
}

/**
 * The two gRPC hops every Switchboard contact makes that the raw floor does not: a unary
 * submit into another process, and a message from there on a server stream back to a client
 * (the offer on the agent's desktop). Open loop at the same rate; latency = scheduled submit →
 * message received on the stream. Payload ~ a small contact (400 bytes).
 */
export async function measureGrpcEdge(ratePerSec: number, seconds: number): Promise<EdgeResult> {
  const server = await startEdgeServer();
  const client = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  const submit = (body: Buffer) =>
    client.makeUnaryRequest(EDGE_SERVICE.submit.path, raw, raw, body, () => {});
  try {
    const sentAt = new Map<number, number>();
    const latencies: number[] = [];
    const WARM = 0xffffffff;
    let open = false;
    const stream = client.makeServerStreamRequest(
      EDGE_SERVICE.listen.path,
      raw,
      raw,
      Buffer.alloc(0),
    );
    stream.on("data", (b: Buffer) => {
      const i = b.readUInt32BE(0);
      if (i === WARM) open = true;
      const t0 = sentAt.get(i);
      if (t0 !== undefined) latencies.push(performance.now() - t0);
    });
    stream.on("error", () => {});
    // The stream is open once a first submit comes back on it.
    const warm = Buffer.alloc(400);
    warm.writeUInt32BE(WARM, 0);
    for (let tries = 0; !open; tries++) {
      if (tries === 100) throw new Error("grpc-edge: the Listen stream never opened");
      submit(warm);
      await delay(50);
    }
    let sent = 0;
    await runOpenLoop(ratePerSec, seconds, (i, scheduledAt) => {
      sentAt.set(i, scheduledAt);
      const body = Buffer.alloc(400);
      body.writeUInt32BE(i, 0);
      sent++;
      submit(body);
    });
    await settle(() => latencies.length, sent, 2_000, 30_000);
    stream.cancel();
    return {
      name: "grpc-edge",
      sent,
      received: latencies.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      p999Ms: percentile(latencies, 99.9),
    };
  } finally {
    client.close();
    server.child.kill("SIGKILL");
  }
}

async function startEdgeServer(): Promise<{ child: ChildProcess; port: number }> {
  const file = fileURLToPath(new URL("./grpc-edge-server.ts", import.meta.url));
  const child = spawn(process.execPath, [...process.execArgv, file], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  process.once("exit", () => child.kill("SIGKILL"));
  const [line] = (await once(child.stdout as NodeJS.ReadableStream, "data")) as [Buffer];
  const port = Number(line.toString().trim());
  if (!Number.isInteger(port)) throw new Error(`grpc-edge server said ${line.toString()}`);
  return { child, port };
}
