import type { Socket } from "node:net";

/**
 * Sends everything written to `socket` during one turn of the event loop in one system call:
 * the first write corks it and a setImmediate uncorks it, once the turn's other callbacks and
 * microtasks had their say. The NATS client flushes at every microtask checkpoint, so a
 * command that publishes several events and acks its message made several small writes, each
 * a syscall here and a wake-up and a read on the server. The delay is the rest of the current
 * turn. Idempotent per socket; anything that is not a socket is left alone.
 */
export function coalesceWrites(socket: unknown): void {
  if (!isSocket(socket) || marked.has(socket)) return;
  marked.add(socket);
  const write = socket.write;
  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket.uncork();
  };
  socket.write = function (this: Socket, ...args: Parameters<Socket["write"]>): boolean {
    if (!corked && !socket.destroyed) {
      corked = true;
      socket.cork();
      setImmediate(uncork);
    }
    return write.apply(this, args);
  } as Socket["write"];
}

const marked = new WeakSet<Socket>();

function isSocket(value: unknown): value is Socket {
  const s = value as Partial<Socket> | undefined;
  return (
    typeof s?.write === "function" && typeof s.cork === "function" && typeof s.uncork === "function"
  );
}
