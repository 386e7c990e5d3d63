import { OPTIONS } from "./options.js";

/** The configuration table in Markdown, as the README shows it (a test keeps them equal). */
export function renderConfigTable(): string {
  const rows = OPTIONS.map(
    (o) =>
      `| \`--${o.flag}\` | \`${[o.env, ...(o.envAliases ?? [])].join("`, `")}\` | ${o.default === undefined ? "(unset)" : `\`${o.default}\``} | ${o.allowed} | ${o.description} |`,
  );
  return [
    "| flag / config-file key | environment | default | allowed | what it does |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

/** The options part of `switchboard --help`. */
export function renderOptionsHelp(): string {
  const width = Math.max(...OPTIONS.map((o) => o.flag.length)) + 4;
  return OPTIONS.map((o) => {
    const def = o.default === undefined ? "" : ` (default ${o.default})`;
    return `  --${o.flag.padEnd(width)}${o.description}${def}\n  ${"".padEnd(width + 2)}env ${[o.env, ...(o.envAliases ?? [])].join(", ")}; ${o.allowed}`;
  }).join("\n");
}
