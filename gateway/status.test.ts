import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { ErrorCode, invalidArgument, SwitchboardError } from "../core/index.js";
import { fieldViolationsOf, GRPC_STATUS, toServiceError } from "./status.js";

describe("toServiceError", () => {
  it("maps every error code to a distinct gRPC status", () => {
    const codes = Object.values(ErrorCode).map((c) => GRPC_STATUS[c]);
    expect(new Set(codes).size).toBe(codes.length);
    expect(
      toServiceError(new SwitchboardError(ErrorCode.NotFound, "contact c1 not found")),
    ).toMatchObject({
      code: status.NOT_FOUND,
      details: "contact c1 not found",
    });
  });

  it("carries field violations in the standard google.rpc.Status trailer", () => {
    const err = toServiceError(
      invalidArgument([
        { field: "contact.channel", description: "is required" },
        { field: "contact.complexity", description: "must be 1–5, got 9" },
      ]),
    );
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.metadata?.get("grpc-status-details-bin")[0]).toBeInstanceOf(Buffer);
    expect(fieldViolationsOf({ metadata: err.metadata! })).toEqual([
      { field: "contact.channel", description: "is required" },
      { field: "contact.complexity", description: "must be 1–5, got 9" },
    ]);
  });

  it("never leaks the message of an unexpected error", () => {
    const err = toServiceError(new Error("password=hunter2 at db.ts:12"));
    expect(err).toMatchObject({ code: status.INTERNAL, details: "internal error" });
    expect(fieldViolationsOf({ metadata: err.metadata! })).toEqual([]);
  });
});
