import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderConfigTable, renderOptionsHelp } from "./describe.js";
import { OPTIONS } from "./options.js";

describe("configuration docs", () => {
  it("the README's table is the one generated from the options", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const table = /<!-- config-table:start[^>]*-->\n([\s\S]*?)\n<!-- config-table:end -->/.exec(
      readme,
    )?.[1];
    expect(table, "README.md has no config-table markers").toBeDefined();
    // On failure: `npm run docs` regenerates the table.
    // Compare cell by cell, so a Markdown formatter's column padding is not a difference.
    const cells = (md: string) =>
      md.split("\n").map((line) =>
        line
          .split("|")
          .map((cell) => cell.trim().replace(/^-+$/, "---"))
          .join("|"),
      );
    expect(cells(table ?? "")).toEqual(cells(renderConfigTable()));
  });

  it("--help lists every flag and variable", () => {
    const help = renderOptionsHelp();
    for (const o of OPTIONS) {
      expect(help).toContain(`--${o.flag}`);
      expect(help).toContain(o.env);
    }
  });
});
