import { connect } from "nats";
import { describe, expect, inject, it } from "vitest";
import { createLogger } from "../log.js";
import { createJetStreamBus } from "./jetstream-bus.js";

const logger = createLogger({ level: "silent" });

describe("jetstream streams", () => {
  it("updates what may change and keeps the stream when a change is not allowed", async () => {
    const nc = await connect({ servers: inject("natsUrl") });
    const names = { streamPrefix: "ENSURE_", subjectRoot: "ensure" };
    const first = createJetStreamBus({ logger, connection: nc, ...names, storage: "file" });
    await first.ensureStreams();
    const changed = createJetStreamBus({
      logger,
      connection: nc,
      ...names,
      // Storage type cannot change on a live stream; the dedupe window can.
      storage: "memory",
      duplicateWindowMs: 5000,
    });
    await changed.ensureStreams();
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(first.streams.contacts.name);
    expect(info.config.storage).toBe("file");
    expect(info.config.duplicate_window).toBe(5000 * 1_000_000);
    for (const s of Object.values(first.streams)) await jsm.streams.delete(s.name);
    await nc.close();
  });
});
