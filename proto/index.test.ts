import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

describe("proto/index.ts", () => {
  it("exports every generated switchboard.v1 module", () => {
    const index = readFileSync(new URL("./index.ts", import.meta.url), "utf8");
    const generated = readdirSync(new URL("./gen/switchboard/v1/", import.meta.url)).filter((f) =>
      f.endsWith("_pb.ts"),
    );
    expect(generated.length).toBeGreaterThan(0);
    for (const file of generated) {
      expect(index).toContain(
        `export * from "./gen/switchboard/v1/${file.replace(/\.ts$/, ".js")}";`,
      );
    }
  });
});
