import { describe, expect, it } from "vitest";
import { externalRedisUrl, startRedis, waitForHealth } from "../../../test/harness/index.js";
import { createManualClock } from "../../clock.js";
import { ErrorCode, SwitchboardError } from "../../errors.js";
import { createLogger } from "../../log.js";
import { createRedisHandle } from "../redis-connection.js";
import type { ReserveInput } from "../reservation-store.js";
import { createRedisStore } from "./redis-store.js";

const logger = createLogger({ level: "silent" });

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => "resolved",
    (e: unknown) => (e instanceof SwitchboardError ? e.code : `not a SwitchboardError: ${e}`),
  );
}

describe("redis store faults", () => {
  // A private server: the shared one must never be killed, and an external one cannot be.
  it.skipIf(externalRedisUrl() !== undefined)(
    "rejects UNAVAILABLE while Redis is down, then works on the same state after restart",
    async () => {
      await using server = await startRedis();
      const handle = createRedisHandle({ url: server.url, logger, maxReconnectDelayMs: 100 });
      try {
        await waitForHealth(handle.health, "up");
        const clock = createManualClock(1_000_000);
        const store = createRedisStore({
          client: handle.client,
          logger,
          clock,
          callTimeoutMs: 1000,
        });
        const t = store.forTenant("acme");
        const lease = (await t.leases.acquire("site-1", "router-a", 600_000))!;
        const input: ReserveInput = {
          contactId: "c1",
          agentId: "a1",
          offerId: "o1",
          channel: "CHAT",
          weightMilli: 340,
          capacityMilli: 1000,
          expiresAtMs: clock.nowMs() + 30_000,
          fence: lease,
        };
        const first = await t.reservations.reserve(input);
        expect(first.ok).toBe(true);

        await server.kill();
        await waitForHealth(handle.health, "down");
        const unavailable = ErrorCode.Unavailable;
        expect(
          await codeOf(t.reservations.reserve({ ...input, contactId: "c2", offerId: "o2" })),
        ).toBe(unavailable);
        expect(await codeOf(t.reservations.get("o1"))).toBe(unavailable);
        expect(await codeOf(t.agents.get("a1"))).toBe(unavailable);
        expect(await codeOf(t.leases.renew(lease, 600_000))).toBe(unavailable);
        expect(await codeOf(t.identity.resolve([{ kind: "email", value: "a@b.c" }]))).toBe(
          unavailable,
        );

        await server.restart();
        await waitForHealth(handle.health, "up");
        // The restarted server has an empty script cache: EVALSHA falls back to EVAL.
        expect(await t.reservations.reserve(input)).toEqual(first);
        expect((await t.reservations.get("o1"))?.state).toBe("RESERVED");
        expect((await t.agents.get("a1")).load.totalMilli).toBe(340);
        expect(await t.leases.renew(lease, 600_000)).toBe(true);
        expect(
          (await t.reservations.reserve({ ...input, contactId: "c2", offerId: "o2" })).ok,
        ).toBe(true);
        expect((await t.agents.get("a1")).load.totalMilli).toBe(680);
      } finally {
        await handle.close();
      }
    },
  );
});
