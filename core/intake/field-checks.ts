import type { FieldViolation } from "../errors.js";

/**
 * Small checks shared by the services' validators. Each pushes a violation named the way the
 * caller spells the field, so one response lists everything to fix.
 */
export type Violations = FieldViolation[];

/** Ids chosen by admins (agents, queues, rules): 1–64 of [A-Za-z0-9._-]. */
export const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** Skill ids: 1–64 of [a-z0-9._-]. */
export const SKILL_PATTERN = /^[a-z0-9._-]{1,64}$/;
/** A phone number in E.164 form: "+" and 2–15 digits, no leading zero. */
export const E164 = /^\+[1-9]\d{1,14}$/;
/** BCP 47, loosely: "en", "fr-BE", "zh-Hant-TW". */
export const LANGUAGE_PATTERN = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

export function requireId(out: Violations, field: string, value: string): void {
  if (value === "") out.push({ field, description: "required" });
  else if (!ID_PATTERN.test(value)) {
    out.push({ field, description: "must be 1–64 characters of [A-Za-z0-9._-]" });
  }
}

export function optionalId(out: Violations, field: string, value: string): void {
  if (value !== "") requireId(out, field, value);
}

export function maxLength(out: Violations, field: string, value: string, max: number): void {
  if (value.length > max) out.push({ field, description: `at most ${max} characters` });
}

export function range(out: Violations, field: string, value: number, min: number, max: number) {
  if (!(value >= min && value <= max)) {
    out.push({ field, description: `must be between ${min} and ${max}` });
  }
}

export function maxCount(out: Violations, field: string, count: number, max: number): void {
  if (count > max) out.push({ field, description: `at most ${max} entries` });
}

export function language(out: Violations, field: string, value: string): void {
  if (value !== "" && (value.length > 35 || !LANGUAGE_PATTERN.test(value))) {
    out.push({ field, description: 'must be a BCP 47 tag such as "en" or "fr-BE"' });
  }
}

/** A value of a proto enum that protobuf-es decoded but the contract does not define. */
export function knownEnum(
  out: Violations,
  field: string,
  value: number,
  known: object,
  allowZero = false,
): void {
  const defined = Object.values(known).includes(value);
  if (!defined || (!allowZero && value === 0)) {
    out.push({ field, description: value === 0 ? "required" : `unknown value ${value}` });
  }
}
