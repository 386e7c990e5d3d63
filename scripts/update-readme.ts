// Rewrites the generated configuration table in README.md from core/config (npm run docs).
import { readFileSync, writeFileSync } from "node:fs";
import { renderConfigTable } from "../core/index.js";

const path = new URL("../README.md", import.meta.url);
const readme = readFileSync(path, "utf8");
const block = /(<!-- config-table:start[^>]*-->\n)[\s\S]*?(\n<!-- config-table:end -->)/;
if (!block.test(readme)) {
  console.error("README.md has no config-table markers");
  process.exit(1);
}
writeFileSync(
  path,
  readme.replace(block, (_, start: string, end: string) => `${start}${renderConfigTable()}${end}`),
);
