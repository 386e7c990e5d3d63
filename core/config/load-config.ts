import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { ErrorCode, type FieldViolation, SwitchboardError } from "../errors.js";
import { ADAPTERS, type AdapterName, type Config, OPTIONS, ROLES, type Role } from "./options.js";

export interface LoadConfigOptions {
  /** Command-line arguments after the program name. */
  readonly argv: readonly string[];
  /** The process environment; the only place it is read is here. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads a --config file; injectable for tests. */
  readonly readFile?: (path: string) => string;
}

/** Where a value came from, so an error names what the user actually typed. */
type Source = { value: string; origin: string };

/**
 * Merges defaults → config file → environment → flags, validates everything once and returns
 * a frozen Config. Every problem is collected; the thrown INVALID_ARGUMENT error names each
 * flag or variable and what it allows.
 */
export function loadConfig(options: LoadConfigOptions): Config {
  const { values, positionals } = parseFlags(options.argv);
  const violations: FieldViolation[] = [];
  const sources = new Map<string, Source>();

  const configPath = values.config;
  if (typeof configPath === "string") {
    for (const [flag, value] of readConfigFile(configPath, options.readFile, violations)) {
      sources.set(flag, { value, origin: `${flag} in ${configPath}` });
    }
  }
  for (const spec of OPTIONS) {
    for (const name of [spec.env, ...(spec.envAliases ?? [])]) {
      const raw = options.env[name];
      if (raw !== undefined && raw !== "") {
        sources.set(spec.flag, { value: raw, origin: name });
        break;
      }
    }
    const flagValue = values[spec.flag];
    if (typeof flagValue === "string")
      sources.set(spec.flag, { value: flagValue, origin: `--${spec.flag}` });
  }

  const out: Record<string, unknown> = {};
  for (const spec of OPTIONS) {
    const source = sources.get(spec.flag);
    if (source === undefined && spec.default === undefined) continue;
    // Defaults go through the same parser, so they come out in the same shape as user values.
    const parsed = spec.parse(source?.value ?? String(spec.default));
    if ("error" in parsed) {
      violations.push({
        field: source?.origin ?? `default of --${spec.flag}`,
        description: `${JSON.stringify(source?.value ?? spec.default)} ${parsed.error}`,
      });
    } else {
      out[spec.key] = parsed.value;
    }
  }

  const [role = "all", adapter, ...rest] = positionals;
  if (!(ROLES as readonly string[]).includes(role)) {
    violations.push({
      field: "role",
      description: `unknown role "${role}"; expected one of ${ROLES.join(", ")}`,
    });
  } else if (role === "adapter") {
    if (adapter === undefined || !(ADAPTERS as readonly string[]).includes(adapter)) {
      violations.push({
        field: "adapter",
        description: `role "adapter" needs one of ${ADAPTERS.join(", ")}${adapter === undefined ? "" : `, not "${adapter}"`}`,
      });
    } else {
      out.adapter = adapter as AdapterName;
    }
  } else if (adapter !== undefined) {
    rest.unshift(adapter);
  }
  if (rest.length > 0)
    violations.push({ field: "arguments", description: `unexpected ${rest.join(" ")}` });
  out.role = role as Role;

  if (out.grpcPort !== undefined && out.grpcPort === out.httpPort) {
    violations.push({
      field: "--http-port",
      description: `must differ from --grpc-port (${out.grpcPort})`,
    });
  }
  if ((out.tlsCertFile === undefined) !== (out.tlsKeyFile === undefined)) {
    violations.push({
      field: "--tls-cert-file",
      description: "and --tls-key-file must be set together",
    });
  }
  if (out.tlsClientCaFile !== undefined && out.tlsCertFile === undefined) {
    violations.push({
      field: "--tls-client-ca-file",
      description: "needs --tls-cert-file and --tls-key-file",
    });
  }
  if (violations.length > 0) {
    throw new SwitchboardError(
      ErrorCode.InvalidArgument,
      `invalid configuration: ${violations.map((v) => `${v.field} ${v.description}`).join("; ")}`,
      { violations },
    );
  }
  return Object.freeze(out) as unknown as Config;
}

function parseFlags(argv: readonly string[]) {
  const optionSpecs: Record<string, { type: "string" }> = { config: { type: "string" } };
  for (const spec of OPTIONS) optionSpecs[spec.flag] = { type: "string" };
  try {
    return parseArgs({
      args: [...argv],
      options: optionSpecs,
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    // node's messages already name the flag ("Unknown option '--grpc-prot'").
    throw new SwitchboardError(
      ErrorCode.InvalidArgument,
      `invalid configuration: ${(err as Error).message}`,
      {
        cause: err,
        violations: [{ field: "arguments", description: (err as Error).message }],
      },
    );
  }
}

function readConfigFile(
  path: string,
  readFile: (path: string) => string = (p) => readFileSync(p, "utf8"),
  violations: FieldViolation[],
): [string, string][] {
  let doc: unknown;
  try {
    // YAML is a superset of JSON, so one parser reads both formats.
    doc = parseYaml(readFile(path));
  } catch (err) {
    violations.push({
      field: "--config",
      description: `cannot read ${path}: ${(err as Error).message}`,
    });
    return [];
  }
  if (doc === null || doc === undefined) return [];
  if (typeof doc !== "object" || Array.isArray(doc)) {
    violations.push({
      field: "--config",
      description: `${path} must contain a mapping of settings`,
    });
    return [];
  }
  const known = new Set(OPTIONS.map((o) => o.flag));
  const entries: [string, string][] = [];
  for (const [key, value] of Object.entries(doc)) {
    if (!known.has(key)) {
      violations.push({
        field: `${key} in ${path}`,
        description: `is not a setting; expected one of ${[...known].join(", ")}`,
      });
    } else if (typeof value === "string" || typeof value === "number") {
      entries.push([key, String(value)]);
    } else {
      violations.push({ field: `${key} in ${path}`, description: "must be a string or a number" });
    }
  }
  return entries;
}
