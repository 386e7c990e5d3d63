/** `--out <dir>`: result.json (everything, with intervals), kpis.csv and report.html. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { renderCsv } from "./report-csv.js";
import { renderHtml } from "./report-html.js";
import type { SimResult } from "./run-scenario.js";

export async function writeReports(dir: string, result: SimResult): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: [string, string][] = [
    ["result.json", `${JSON.stringify(result, null, 2)}\n`],
    ["kpis.csv", renderCsv(result)],
    ["report.html", renderHtml(result)],
  ];
  const paths: string[] = [];
  for (const [name, text] of files) {
    const path = join(dir, name);
    await writeFile(path, text, "utf8");
    paths.push(path);
  }
  return paths;
}
