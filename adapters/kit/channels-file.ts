import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { type Config, invalidArgument } from "../../core/index.js";

/**
 * `--channels-file`: one YAML or JSON file with a section per channel adapter (`email`, `web`,
 * `phone`, `kiosk`; see each adapter's README). Each adapter reads and validates its own
 * section at start; a missing file or section means that adapter's defaults. A file that does
 * not parse, or a section that is not a mapping, is INVALID_ARGUMENT naming the file.
 */
export function channelsSection(config: Config, section: string): Record<string, unknown> {
  if (config.channelsFile === undefined) return {};
  let text: string;
  try {
    text = readFileSync(config.channelsFile, "utf8");
  } catch (err) {
    throw invalidArgument([
      {
        field: "--channels-file",
        description: `cannot read ${config.channelsFile}: ${String(err)}`,
      },
    ]);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw invalidArgument([
      {
        field: "--channels-file",
        description: `${config.channelsFile} is not YAML/JSON: ${String(err)}`,
      },
    ]);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw invalidArgument([
      { field: "--channels-file", description: "must be a mapping of sections" },
    ]);
  }
  const value = (doc as Record<string, unknown>)[section];
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw invalidArgument([
      { field: `--channels-file ${section}`, description: "must be a mapping" },
    ]);
  }
  return value as Record<string, unknown>;
}
