import { describe, expect, it } from "vitest";
import { ErrorCode, invalidArgument, SwitchboardError } from "./errors.js";

describe("SwitchboardError", () => {
  it("keeps a stable code, violations and the cause", () => {
    const cause = new Error("boom");
    const err = SwitchboardError.from(cause, ErrorCode.Unavailable);
    expect(err.code).toBe("UNAVAILABLE");
    expect(err.cause).toBe(cause);
    expect(SwitchboardError.from(err)).toBe(err);
    const bad = invalidArgument([{ field: "contact.channel", description: "is required" }]);
    expect(bad.code).toBe("INVALID_ARGUMENT");
    expect(bad.message).toBe("invalid argument: contact.channel: is required");
    expect(bad.violations).toHaveLength(1);
  });
});
