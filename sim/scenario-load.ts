/** Reads a scenario file: `.yaml`/`.yml` with the `yaml` package, anything else as JSON. */
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { parse as parseYaml } from "yaml";
import { ErrorCode, SwitchboardError } from "../core/index.js";
import { normalizeScenario } from "./scenario-normalize.js";
import type { Scenario } from "./scenario-types.js";

export function parseScenario(text: string, format: "yaml" | "json"): Scenario {
  let raw: unknown;
  try {
    raw = format === "yaml" ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new SwitchboardError(
      ErrorCode.InvalidArgument,
      `scenario is not valid ${format}: ${why}`,
      {
        cause: err,
      },
    );
  }
  return normalizeScenario(raw);
}

export async function loadScenario(path: string): Promise<Scenario> {
  const ext = extname(path).toLowerCase();
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new SwitchboardError(ErrorCode.NotFound, `cannot read scenario ${path}`, { cause: err });
  }
  return parseScenario(text, ext === ".yaml" || ext === ".yml" ? "yaml" : "json");
}
