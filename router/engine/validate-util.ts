import { invalid } from "./errors.js";

export function checkInt(value: unknown, field: string, min: number, max: number): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${field} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
}

export function checkNumber(value: unknown, field: string, min: number, max: number): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw invalid(`${field} must be a number in [${min}, ${max}], got ${String(value)}`);
  }
}

export function checkId(value: unknown, field: string): string {
  // Control characters are reserved: requirement signatures use them as separators.
  if (
    typeof value !== "string" ||
    value.length === 0 ||
    value.length > 256 ||
    hasControlChar(value)
  ) {
    throw invalid(
      `${field} must be a non-empty string of at most 256 characters, without control characters`,
    );
  }
  return value;
}

export function checkOneOf<T extends string>(
  value: unknown,
  field: string,
  allowed: readonly T[],
): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw invalid(`${field} must be one of ${allowed.join(", ")}, got ${String(value)}`);
  }
  return value as T;
}

export function checkIdList(value: readonly unknown[] | undefined, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid(`${field} must be a list`);
  return value.map((v, i) => checkId(v, `${field}[${i}]`));
}

function hasControlChar(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) < 0x20) return true;
  return false;
}
