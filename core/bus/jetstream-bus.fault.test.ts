import { describe, expect, it } from "vitest";
import { externalNatsUrl, startNats, waitFor } from "../../test/harness/index.js";
import { SwitchboardError } from "../errors.js";
import { createLogger } from "../log.js";
import { createJetStreamBus } from "./jetstream-bus.js";
import { createNatsHandle } from "./nats-connection.js";

const logger = createLogger({ level: "silent" });
const enc = new TextEncoder();

/**
 * A private server is killed and restarted under a running publisher and consumer: publishes
 * during the outage fail fast with UNAVAILABLE (never hang), nothing acknowledged is lost, a
 * retried publish is stored once, and the consumer comes back by itself.
 */
describe("jetstream bus under a server outage", () => {
  it.skipIf(externalNatsUrl() !== undefined)(
    "rejects publishes while down, resumes consuming after restart, loses nothing acknowledged",
    async () => {
      await using server = await startNats();
      const nats = createNatsHandle({ url: server.url, logger });
      const bus = createJetStreamBus({
        logger,
        connection: await nats.connected,
        publishTimeoutMs: 1000,
        streamPrefix: "FAULT_",
      });
      await bus.ensureStreams();
      const subject = (i: number) => bus.subjects.contact("acme", "voice", `e${i}`);
      const acknowledged = new Set<string>();
      const publish = async (id: string, i: number): Promise<void> => {
        await bus.publish(subject(i), enc.encode(id), { msgId: id });
        acknowledged.add(id);
      };

      const received: { msgId: string; seq: number }[] = [];
      await bus.consume(
        { durable: "router", filterSubjects: [`${bus.subjects.root}.contact.>`], backoffMs: [100] },
        async (m) => {
          received.push({ msgId: m.msgId ?? "?", seq: m.seq });
        },
      );
      for (let i = 0; i < 20; i++) await publish(`before-${i}`, i);

      let reconnects = 0;
      const stopListening = bus.onReconnect(() => reconnects++);
      await server.kill();
      // Whether the client already noticed (fails fast) or not (times out): UNAVAILABLE.
      const outage: string[] = [];
      for (let i = 0; i < 3; i++) {
        const id = `during-${i}`;
        const error = await publish(id, i).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(SwitchboardError);
        expect((error as SwitchboardError).code).toBe("UNAVAILABLE");
        outage.push(id);
      }

      await server.restart();
      // The callers retry what was refused, with the same idempotency keys.
      for (const [i, id] of outage.entries()) {
        await waitFor(() => publish(id, i), { timeoutMs: 15_000, what: `retry of ${id}` });
      }
      for (let i = 0; i < 20; i++) await publish(`after-${i}`, i);
      // Told once the connection (and its subscriptions) were back.
      await waitFor(
        async () => {
          if (reconnects < 1) throw new Error("no reconnect reported");
        },
        { timeoutMs: 10_000, what: "onReconnect" },
      );
      stopListening();

      await waitFor(
        async () => {
          const ids = new Set(received.map((r) => r.msgId));
          if (![...acknowledged].every((id) => ids.has(id))) throw new Error("missing");
        },
        { timeoutMs: 20_000, what: "every acknowledged message" },
      );
      // One stored copy per msgId (redelivery of the same copy is allowed, a second copy is not).
      const seqsById = new Map<string, Set<number>>();
      for (const r of received)
        seqsById.set(r.msgId, (seqsById.get(r.msgId) ?? new Set()).add(r.seq));
      expect([...seqsById.keys()].sort()).toEqual([...acknowledged].sort());
      expect([...seqsById.values()].every((seqs) => seqs.size === 1)).toBe(true);
      expect(acknowledged.size).toBe(43);

      await bus.close();
      await nats.close();
    },
  );
});
