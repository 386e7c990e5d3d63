import { createServer } from "node:net";

/** Loopback only: harness servers never listen on other interfaces. */
export const loopbackHost = "127.0.0.1";

/**
 * A TCP port on 127.0.0.1 that was free a moment ago. The kernel picks it, so it is never one
 * of the standard ports (4222, 6379) already taken by the machine's own NATS and Redis.
 * Another process may grab it before our server binds; callers retry on "address in use".
 */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ port: 0, host: loopbackHost, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : undefined;
      server.close((closeError) => {
        if (closeError !== undefined) reject(closeError);
        else if (port === undefined) reject(new Error("listening socket reported no port"));
        else resolve(port);
      });
    });
  });
}
