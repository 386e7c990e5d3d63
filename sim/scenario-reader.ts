/**
 * A small reader over untyped scenario input (parsed YAML or JSON) that records every problem
 * with its path instead of stopping at the first, so one run of `simulate` lists them all.
 */
import type { FieldViolation } from "../core/index.js";

export type Obj = Readonly<Record<string, unknown>>;

export interface Reader {
  readonly violations: FieldViolation[];
  fail(field: string, description: string): void;
  obj(value: unknown, field: string): Obj;
  num(o: Obj, key: string, at: string, opts: NumOpts): number;
  str(o: Obj, key: string, at: string, fallback?: string): string;
  list(o: Obj, key: string, at: string): readonly unknown[];
  /** `{ a: 1, b: 2 }` → entries with numeric values (weights, proficiencies). */
  weights(o: Obj, key: string, at: string): [string, number][];
}

export interface NumOpts {
  readonly min?: number;
  readonly max?: number;
  readonly int?: boolean;
  /** Absent = required. */
  readonly fallback?: number;
}

export function createReader(): Reader {
  const violations: FieldViolation[] = [];
  const fail = (field: string, description: string) => {
    violations.push({ field, description });
  };
  const obj = (value: unknown, field: string): Obj => {
    if (value === undefined || value === null) return {};
    if (typeof value !== "object" || Array.isArray(value)) {
      fail(field, "must be a mapping");
      return {};
    }
    return value as Obj;
  };
  return {
    violations,
    fail,
    obj,
    num(o, key, at, opts) {
      const field = at === "" ? key : `${at}.${key}`;
      const v = o[key];
      if (v === undefined || v === null) {
        if (opts.fallback !== undefined) return opts.fallback;
        fail(field, "is required");
        return opts.min ?? 0;
      }
      const bad = (why: string) => {
        fail(field, `${why}, got ${JSON.stringify(v)}`);
        return opts.fallback ?? opts.min ?? 0;
      };
      if (typeof v !== "number" || !Number.isFinite(v)) return bad("must be a number");
      if (opts.int === true && !Number.isInteger(v)) return bad("must be an integer");
      if (opts.min !== undefined && v < opts.min) return bad(`must be >= ${opts.min}`);
      if (opts.max !== undefined && v > opts.max) return bad(`must be <= ${opts.max}`);
      return v;
    },
    str(o, key, at, fallback) {
      const field = at === "" ? key : `${at}.${key}`;
      const v = o[key];
      if (v === undefined || v === null) {
        if (fallback !== undefined) return fallback;
        fail(field, "is required");
        return "";
      }
      if (typeof v !== "string" || v.length === 0) {
        fail(field, `must be a non-empty string, got ${JSON.stringify(v)}`);
        return fallback ?? "";
      }
      return v;
    },
    list(o, key, at) {
      const v = o[key];
      if (v === undefined || v === null) return [];
      if (!Array.isArray(v)) {
        fail(at === "" ? key : `${at}.${key}`, "must be a list");
        return [];
      }
      return v;
    },
    weights(o, key, at) {
      const m = obj(o[key], `${at}.${key}`);
      const out: [string, number][] = [];
      for (const [k, v] of Object.entries(m)) {
        if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
          fail(`${at}.${key}.${k}`, `must be a number >= 0, got ${JSON.stringify(v)}`);
        } else out.push([k, v]);
      }
      return out;
    },
  };
}
