import { describe, expect, inject, it } from "vitest";
import {
  externalNatsUrl,
  probeHealth,
  startNats,
  waitForHealth,
} from "../../test/harness/index.js";
import { createLogger } from "../log.js";
import { createNatsHandle } from "./nats-connection.js";

const logger = createLogger({ level: "silent" });

describe("nats handle", () => {
  it("connects to JetStream and reports up", async () => {
    const nats = createNatsHandle({ url: inject("natsUrl"), logger });
    await nats.connected;
    expect(await probeHealth(nats.health)).toBe("up");
    await nats.close();
  });

  it.skipIf(externalNatsUrl() !== undefined)(
    "reports down while the server is gone and recovers by itself",
    async () => {
      await using server = await startNats();
      const nats = createNatsHandle({ url: server.url, logger });
      await nats.connected;
      await server.kill();
      await waitForHealth(nats.health, "down");
      await server.restart();
      await waitForHealth(nats.health, "up");
      await nats.close();
    },
  );

  it("reports down, not a crash, while the first connection is still pending", async () => {
    // Port 1 on loopback: nothing listens there, so the handle keeps retrying in the background.
    const nats = createNatsHandle({ url: "nats://127.0.0.1:1", logger });
    expect(await probeHealth(nats.health)).toBe("down: connecting");
    await nats.close();
  });
});
