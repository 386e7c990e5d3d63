/**
 * First-match rule evaluation. O(R · c) for R rules and c conditions each; rules are few and
 * evaluated once per contact (and again only on reconfiguration).
 */
import type { RoutingRule, RuleCondition } from "./config-types.js";
import type { ContactInput } from "./domain.js";
import type { NormalizedContact } from "./validate-contact.js";

/** A contact requires few skills: a scan beats building a Set per rule evaluated. */
function requires(c: NormalizedContact, skill: string): boolean {
  for (const s of c.required) if (s.skill === skill) return true;
  return false;
}

function matches(when: RuleCondition, input: ContactInput, c: NormalizedContact): boolean {
  if (when.channels !== undefined && !when.channels.includes(input.channel)) return false;
  if (when.skillsAll !== undefined) {
    for (const s of when.skillsAll) if (!requires(c, s)) return false;
  }
  if (when.skillsAny !== undefined) {
    let any = false;
    for (const s of when.skillsAny) if (requires(c, s)) any = true;
    if (!any) return false;
  }
  if (
    when.languages !== undefined &&
    (c.language === null || !when.languages.includes(c.language))
  ) {
    return false;
  }
  if (
    when.accountIds !== undefined &&
    (c.accountId === null || !when.accountIds.includes(c.accountId))
  ) {
    return false;
  }
  if (when.institutional !== undefined && when.institutional !== c.institutional) return false;
  if (
    when.intermediaryKinds !== undefined &&
    (input.intermediary === undefined || !when.intermediaryKinds.includes(input.intermediary.kind))
  ) {
    return false;
  }
  if (
    when.intermediaryPresent !== undefined &&
    when.intermediaryPresent !== (c.intermediaryKind !== null)
  ) {
    return false;
  }
  if (when.minPriority !== undefined && c.priority < when.minPriority) return false;
  if (when.attributes !== undefined) {
    for (const [k, v] of Object.entries(when.attributes)) {
      if (input.attributes?.[k] !== v) return false;
    }
  }
  return true;
}

/** The first matching rule, or null (→ the default queue). */
export function matchRule(
  rules: readonly RoutingRule[],
  input: ContactInput,
  c: NormalizedContact,
): RoutingRule | null {
  for (const r of rules) if (matches(r.when, input, c)) return r;
  return null;
}
