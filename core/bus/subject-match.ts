import { invalidArgument } from "../errors.js";

/**
 * NATS subject rules, enforced the same way for both bus implementations so that the in-memory
 * bus accepts and matches exactly what a NATS server would. Tokens are separated by `.`; in a
 * pattern `*` matches one whole token and `>` (last token only) matches one or more tokens.
 * Partial wildcards such as `ab*` are literal to NATS; we reject them as almost certainly a bug.
 */

const maxSubjectLength = 1024;
/** Whitespace and control characters break the NATS text protocol (and header lines). */
export function hasUnsafeChars(text: string): boolean {
  if (/\s/.test(text)) return true;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function tokensOf(subject: string, field: string): string[] {
  if (subject.length === 0) throw invalidArgument([{ field, description: "must not be empty" }]);
  if (subject.length > maxSubjectLength) {
    throw invalidArgument([{ field, description: `longer than ${maxSubjectLength} characters` }]);
  }
  if (hasUnsafeChars(subject)) {
    throw invalidArgument([{ field, description: "must not contain whitespace or control chars" }]);
  }
  const tokens = subject.split(".");
  if (tokens.some((t) => t.length === 0)) {
    throw invalidArgument([{ field, description: `empty token in "${subject}"` }]);
  }
  return tokens;
}

/** A concrete subject one can publish to: no wildcards. Throws INVALID_ARGUMENT. */
export function checkSubject(subject: string, field = "subject"): void {
  const tokens = tokensOf(subject, field);
  if (tokens.some((t) => t.includes("*") || t.includes(">"))) {
    throw invalidArgument([{ field, description: `wildcards not allowed in "${subject}"` }]);
  }
}

/** A subscription or filter pattern. Throws INVALID_ARGUMENT. */
export function checkPattern(pattern: string, field = "pattern"): void {
  const tokens = tokensOf(pattern, field);
  tokens.forEach((t, i) => {
    const wild = t.includes("*") || t.includes(">");
    if (!wild) return;
    if (t === "*" || (t === ">" && i === tokens.length - 1)) return;
    throw invalidArgument([
      { field, description: `"${t}" in "${pattern}": wildcards are whole tokens, ">" only last` },
    ]);
  });
}

/** Whether a concrete subject matches a (valid) pattern, as the NATS server decides it. */
export function subjectMatches(pattern: string, subject: string): boolean {
  return covers(pattern.split("."), subject.split("."));
}

/**
 * Whether every subject matched by `inner` is also matched by `outer` (both valid patterns).
 * Used to find the one stream that stores everything a consumer filter selects.
 */
export function patternCovers(outer: string, inner: string): boolean {
  return covers(outer.split("."), inner.split("."));
}

function covers(outer: readonly string[], inner: readonly string[]): boolean {
  for (let i = 0; i < outer.length; i++) {
    const o = outer[i];
    const t = inner[i];
    if (o === ">") return t !== undefined;
    if (t === undefined) return false;
    if (o === "*") {
      if (t === ">") return false;
      continue;
    }
    if (o !== t) return false;
  }
  return outer.length === inner.length;
}
