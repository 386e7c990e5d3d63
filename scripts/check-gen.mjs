#!/usr/bin/env node
// Fails when proto/gen is stale: lints the .proto files, regenerates into a temporary directory
// and compares the result byte for byte with the committed proto/gen. First step of `npm test`,
// so a .proto change without `npm run gen` cannot pass CI.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const genDir = "proto/gen";

// Prefer the pinned local buf; fall back to npx so the script also works from a bare checkout.
const localBuf = join(
  root,
  "node_modules",
  ".bin",
  process.platform === "win32" ? "buf.cmd" : "buf",
);
const [bufCommand, bufPrefix] = existsSync(localBuf)
  ? [localBuf, []]
  : ["npx", ["--no-install", "buf"]];

function buf(args) {
  const result = spawnSync(bufCommand, [...bufPrefix, ...args], { cwd: root, stdio: "inherit" });
  if (result.error) {
    console.error(`check-gen: cannot run buf: ${result.error.message}`);
    process.exit(1);
  }
  return result.status ?? 1;
}

/** Relative paths of all files under dir, sorted; empty when dir does not exist. */
function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

if (buf(["lint"]) !== 0) {
  console.error("check-gen: `buf lint` failed (see above).");
  process.exit(1);
}

const outDir = mkdtempSync(join(tmpdir(), "switchboard-gen-"));
try {
  // --output re-roots the `out` paths of buf.gen.yaml, so fresh code lands in <outDir>/proto/gen.
  if (buf(["generate", "--output", outDir]) !== 0) {
    console.error("check-gen: `buf generate` failed (see above).");
    process.exitCode = 1;
  } else {
    compare(join(outDir, genDir), join(root, genDir));
  }
} finally {
  rmSync(outDir, { recursive: true, force: true });
}

/** Reports every file that is missing, extra or different in the committed output. */
function compare(fresh, committed) {
  const freshFiles = listFiles(fresh);
  const committedFiles = listFiles(committed);
  const differences = [];
  for (const file of new Set([...freshFiles, ...committedFiles])) {
    if (!committedFiles.includes(file)) differences.push(`missing:  ${genDir}/${file}`);
    else if (!freshFiles.includes(file)) differences.push(`extra:    ${genDir}/${file}`);
    else if (!readFileSync(join(fresh, file)).equals(readFileSync(join(committed, file)))) {
      differences.push(`differs:  ${genDir}/${file}`);
    }
  }
  // proto/index.ts is hand-written (buf's `clean` would delete it from gen/), so check that it
  // re-exports every generated file: other folders may import proto/ only through it.
  const index = readFileSync(join(root, "proto", "index.ts"), "utf8");
  for (const file of freshFiles) {
    const specifier = `./gen/${file.split("\\").join("/").replace(/\.ts$/, ".js")}`;
    if (!index.includes(`export * from "${specifier}";`)) {
      differences.push(`not exported from proto/index.ts: ${specifier}`);
    }
  }
  if (differences.length > 0) {
    console.error(`check-gen: ${genDir} does not match the .proto files:`);
    for (const line of differences.sort()) console.error(`  ${line}`);
    console.error("run `npm run gen` (and export new files from proto/index.ts), then commit.");
    process.exitCode = 1;
  } else {
    console.log(`check-gen: buf lint clean, ${freshFiles.length} generated files up to date.`);
  }
}
