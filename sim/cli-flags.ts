/**
 * Flag parsing shared by `simulate` and `staff`: node:util parseArgs in strict mode, numbers
 * checked with messages that name the flag, and one place that turns failures into exit codes
 * (2 = usage: bad flag or bad input; 1 = the run itself failed).
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { ErrorCode, SwitchboardError } from "../core/index.js";

export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export class UsageError extends Error {
  override readonly name = "UsageError";
}

type Options = NonNullable<ParseArgsConfig["options"]>;
export type FlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export function parseFlags(argv: readonly string[], options: Options): FlagValues {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

export function numberFlag(
  values: FlagValues,
  name: string,
  opts: { min?: number; max?: number; int?: boolean; exclusiveMin?: boolean } = {},
): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const v = Number(raw);
  const bad = (why: string) => new UsageError(`--${name} ${why}, got ${JSON.stringify(raw)}`);
  if (typeof raw !== "string" || raw.trim() === "" || !Number.isFinite(v))
    throw bad("must be a number");
  if (opts.int === true && !Number.isInteger(v)) throw bad("must be an integer");
  if (opts.min !== undefined && (opts.exclusiveMin === true ? v <= opts.min : v < opts.min))
    throw bad(`must be ${opts.exclusiveMin === true ? ">" : ">="} ${opts.min}`);
  if (opts.max !== undefined && v > opts.max) throw bad(`must be <= ${opts.max}`);
  return v;
}

export function requireFlag<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}

/** Runs a command body and maps what it throws to a message on stderr and an exit code. */
export async function withExitCode(
  command: string,
  io: CommandIo,
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(
        `${command}: ${err.message}\n(run \`switchboard ${command} --help\` for usage)\n`,
      );
      return 2;
    }
    if (
      err instanceof SwitchboardError &&
      (err.code === ErrorCode.InvalidArgument || err.code === ErrorCode.NotFound)
    ) {
      io.stderr.write(`${command}: ${err.message}\n`);
      for (const v of err.violations) io.stderr.write(`  ${v.field}: ${v.description}\n`);
      return 2;
    }
    io.stderr.write(`${command}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
