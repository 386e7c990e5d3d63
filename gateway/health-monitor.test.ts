import { describe, expect, it } from "vitest";
import { createLogger } from "../core/index.js";
import { createHealthMonitor } from "./health-monitor.js";

const logger = createLogger({ level: "silent" });

describe("health monitor", () => {
  it("counts a check that hangs past its timeout as down, and reports changes", async () => {
    const health = await createHealthMonitor({
      logger,
      checkTimeoutMs: 50,
      checks: [{ name: "redis", check: () => new Promise(() => {}) }],
    });
    expect(health.snapshot()).toMatchObject({
      serving: false,
      dependencies: [{ name: "redis", up: false, detail: "no answer in 50 ms" }],
    });
    const seen: boolean[] = [];
    health.onChange((s) => seen.push(s.draining));
    health.startDraining();
    expect(seen).toEqual([true]);
    health.close();
  });

  it("serves with no dependencies (embedded mode)", async () => {
    const health = await createHealthMonitor({ logger, checks: [] });
    expect(health.snapshot().serving).toBe(true);
    health.close();
  });
});
