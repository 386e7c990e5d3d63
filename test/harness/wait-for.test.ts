import { describe, expect, test } from "vitest";
import { HarnessError } from "./harness-error.js";
import { waitFor } from "./wait-for.js";

describe("waitFor", () => {
  test("retries a failing probe until it succeeds", async () => {
    let attempts = 0;
    const value = await waitFor(
      async () => {
        attempts += 1;
        if (attempts < 3) throw new Error("not yet");
        return "ready";
      },
      { timeoutMs: 5_000, intervalMs: 1, what: "a flaky probe" },
    );
    expect(value).toBe("ready");
    expect(attempts).toBe(3);
  });

  test("gives up at the deadline with the last probe error as cause", async () => {
    const lastError = new Error("connection refused");
    const failure = waitFor(() => Promise.reject(lastError), {
      timeoutMs: 30,
      intervalMs: 5,
      what: "a dead server",
    });
    await expect(failure).rejects.toBeInstanceOf(HarnessError);
    await expect(failure).rejects.toMatchObject({ code: "start-failed", cause: lastError });
    await expect(failure).rejects.toThrow(/a dead server/);
  });

  test("stops at once when giveUp gives a reason", async () => {
    let attempts = 0;
    const failure = waitFor(
      async () => {
        attempts += 1;
      },
      { timeoutMs: 5_000, what: "a crashed server", giveUp: () => "process exited (1)" },
    );
    await expect(failure).rejects.toThrow(/process exited \(1\)/);
    expect(attempts).toBe(0);
  });
});
