import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./log.js";

describe("createLogger", () => {
  it("redacts customer PII wherever it appears in a logged object", () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger({ destination }).child({ component: "test" });
    log.info(
      {
        contactId: "c1",
        customer: { id: "cust-1", identifiers: { phone: "+441234" } },
        email: "a@b.c",
      },
      "routed",
    );
    const line = JSON.parse(lines[0] ?? "{}");
    expect(line.contactId).toBe("c1");
    expect(line.component).toBe("test");
    expect(line.customer.id).toBe("cust-1");
    expect(line.customer.identifiers).toBe("[redacted]");
    expect(line.email).toBe("[redacted]");
    expect(lines[0]).not.toContain("+441234");
  });
});
