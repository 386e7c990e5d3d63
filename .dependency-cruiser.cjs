/**
 * Import boundaries from DESIGN §4–5, checked on every `npm test` (via `npm run lint`).
 * @type {import('dependency-cruiser').IConfiguration}
 */
const TOP = "(core|gateway|router|adapters|sim|cli|test|bench|proto)";

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "Import cycles make start-up order and testing fragile.",
      from: {},
      to: { circular: true },
    },
    {
      name: "only-through-index",
      severity: "error",
      comment:
        "Other folders import a top-level folder only through its index.ts (the harness through test/harness/index.ts).",
      from: { path: `^${TOP}/` },
      to: {
        path: `^${TOP}/`,
        pathNot: [
          "^$1/",
          `^${TOP}/index\\.ts$`,
          "^test/harness/index\\.ts$",
          "^test/stack/index\\.ts$",
        ],
      },
    },
    {
      name: "engine-is-pure",
      severity: "error",
      comment:
        "router/engine is pure: no bus, store, network, file system or timers; it imports only itself.",
      from: { path: "^router/engine/" },
      to: { pathNot: "^router/engine/" },
    },
    {
      name: "adapters-not-router",
      severity: "error",
      comment: "Adapters talk to the router only through the bus, never by import.",
      from: { path: "^adapters/" },
      to: { path: "^router/" },
    },
    {
      name: "core-is-the-bottom",
      severity: "error",
      comment: "core/ is what everything stands on; it imports no other folder but proto.",
      from: { path: "^core/" },
      to: { path: "^(gateway|router|adapters|sim|cli|bench)/" },
    },
    {
      name: "library-not-to-cli",
      severity: "error",
      comment: "Nothing imports the command line; it wires everything else.",
      from: { pathNot: "^cli/" },
      to: { path: "^cli/" },
    },
    {
      name: "test-code-stays-in-tests",
      severity: "error",
      comment: "Library code must not import the test harness or test-only packages.",
      from: { pathNot: ["\\.test\\.ts$", "^test/", "^bench/", "^vitest\\.config\\.ts$"] },
      to: { path: ["^test/", "node_modules/(vitest|testcontainers|fast-check)/"] },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|node_modules)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".mjs", ".cjs", ".json"],
    },
  },
};
