import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkPattern, checkSubject, patternCovers, subjectMatches } from "./subject-match.js";

const token = fc.constantFrom("a", "b", "c");
const subject = fc.array(token, { minLength: 1, maxLength: 5 }).map((t) => t.join("."));
const pattern = fc
  .tuple(fc.array(fc.constantFrom("a", "b", "*"), { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([t, tail]) => [...t, ...(tail ? [">"] : [])].join("."));

// The NATS rule written differently: as a regular expression.
function reference(p: string, s: string): boolean {
  const source = p
    .split(".")
    .map((t) => (t === "*" ? "[^.]+" : t === ">" ? "[^.]+(\\.[^.]+)*" : t))
    .join("\\.");
  return new RegExp(`^${source}$`).test(s);
}

describe("subject matching", () => {
  it("agrees with the NATS wildcard rules", () => {
    fc.assert(fc.property(pattern, subject, (p, s) => subjectMatches(p, s) === reference(p, s)));
  });

  it("patternCovers(outer, inner) means every subject inner matches, outer matches", () => {
    fc.assert(
      fc.property(pattern, pattern, subject, (outer, inner, s) => {
        if (patternCovers(outer, inner) && subjectMatches(inner, s)) {
          expect(subjectMatches(outer, s)).toBe(true);
        }
      }),
    );
    expect(patternCovers("sb.contact.>", "sb.contact.*.chat.>")).toBe(true);
    expect(patternCovers("sb.contact.>", "sb.>")).toBe(false);
    expect(patternCovers("sb.*.x", "sb.>")).toBe(false);
  });

  it("validates subjects and patterns", () => {
    for (const ok of ["a", "a.b.c", "a-b_c.d9"]) expect(() => checkSubject(ok)).not.toThrow();
    for (const bad of ["", "a..b", ".a", "a.", "a b", "a.*", "a.>", "a\nb", "a.b*"]) {
      expect(() => checkSubject(bad)).toThrow(/invalid argument/);
    }
    for (const ok of ["a.*", "a.>", "*", ">", "*.*.>"])
      expect(() => checkPattern(ok)).not.toThrow();
    for (const bad of ["a.>.b", "a*", "a.b>", "", "a .b"]) {
      expect(() => checkPattern(bad)).toThrow(/invalid argument/);
    }
  });
});
