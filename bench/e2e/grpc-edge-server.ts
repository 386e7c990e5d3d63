/**
 * The gRPC edge without Switchboard code, for bench/e2e's `grpc-edge` measurement: a bare
 * grpc-js server in its own process (as the gateway is) with a unary `Submit` that answers at
 * once and hands its bytes to every open `Listen` server stream (as an offer reaches a desktop).
 * Prints its port on stdout, then serves until killed.
 */
import * as grpc from "@grpc/grpc-js";
import { EDGE_SERVICE } from "./grpc-edge.js";

const listeners = new Set<grpc.ServerWritableStream<Buffer, Buffer>>();
const server = new grpc.Server();
server.addService(EDGE_SERVICE, {
  submit(call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) {
    done(null, Buffer.alloc(0));
    for (const l of listeners) l.write(call.request);
  },
  listen(call: grpc.ServerWritableStream<Buffer, Buffer>) {
    listeners.add(call);
    call.on("cancelled", () => listeners.delete(call));
  },
});
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.stdout.write(`${port}\n`);
});
