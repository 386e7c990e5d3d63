import { closeSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createStdoutDestination } from "./log.js";

describe("createStdoutDestination", () => {
  it("writes whole lines to its file descriptor", () => {
    const path = join(tmpdir(), `sb-log-${process.pid}.txt`);
    const fd = openSync(path, "w");
    const dest = createStdoutDestination(fd);
    dest.write('{"msg":"one"}\n');
    dest.write('{"msg":"two"}\n');
    closeSync(fd);
    expect(readFileSync(path, "utf8")).toBe('{"msg":"one"}\n{"msg":"two"}\n');
    rmSync(path);
  });

  it("drops lines instead of throwing or spinning once the descriptor is gone", () => {
    const path = join(tmpdir(), `sb-log-closed-${process.pid}.txt`);
    const fd = openSync(path, "w");
    closeSync(fd);
    const dest = createStdoutDestination(fd);
    expect(() => dest.write("lost\n")).not.toThrow();
    expect(() => dest.write("lost too\n")).not.toThrow();
    rmSync(path);
  });
});
