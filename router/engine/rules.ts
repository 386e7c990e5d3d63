/**
 * First-match rule evaluation. O(R · c) for R rules and c conditions each; rules are few and
 * evaluated once per contact (and again only on reconfiguration).
 */
import type { RoutingRule, RuleCondition } from "./config-types.js";
import type { ContactInput } from "./domain.js";
import type { NormalizedContact } from "./validate-contact.js";

function matches(when: RuleCondition, input: ContactInput, c: NormalizedContact): boolean {
  if (when.channels !== undefined && !when.channels.includes(input.channel)) return false;
  const skills = new Set(c.required.map((s) => s.skill));
  if (when.skillsAll !== undefined && !when.skillsAll.every((s) => skills.has(s))) return false;
  if (when.skillsAny !== undefined && !when.skillsAny.some((s) => skills.has(s))) return false;
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
