import {
  Channel,
  type Contact,
  type CustomerIdentifiers,
  IntermediaryKind,
  type SkillRequirement,
} from "../../proto/index.js";
import {
  E164,
  knownEnum,
  language,
  maxCount,
  maxLength,
  optionalId,
  range,
  SKILL_PATTERN,
  type Violations,
} from "./field-checks.js";

const EMAIL = /^[^\s@]+@[^\s@]+$/;
// Printable ASCII without spaces: it becomes part of a Nats-Msg-Id.
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;
const MAX_METADATA_VALUE_BYTES = 1024;

function skills(out: Violations, field: string, list: readonly SkillRequirement[]): void {
  maxCount(out, field, list.length, 16);
  const seen = new Set<string>();
  list.forEach((s, i) => {
    if (!SKILL_PATTERN.test(s.skill)) {
      out.push({ field: `${field}[${i}].skill`, description: "must be 1–64 of [a-z0-9._-]" });
    } else if (seen.has(s.skill)) {
      out.push({ field: `${field}[${i}].skill`, description: "listed twice" });
    }
    seen.add(s.skill);
    range(out, `${field}[${i}].min_proficiency`, s.minProficiency, 0, 5);
  });
}

function identifiers(out: Violations, ids: CustomerIdentifiers): number {
  const at = "contact.customer.identifiers";
  if (ids.phone !== "" && !E164.test(ids.phone)) {
    out.push({ field: `${at}.phone`, description: 'must be E.164, e.g. "+32470123456"' });
  }
  if (ids.email !== "" && (ids.email.length > 254 || !EMAIL.test(ids.email))) {
    out.push({ field: `${at}.email`, description: "must be an email address" });
  }
  maxLength(out, `${at}.web_session_id`, ids.webSessionId, 128);
  maxLength(out, `${at}.kiosk_card_id`, ids.kioskCardId, 128);
  maxLength(out, `${at}.kiosk_account_number`, ids.kioskAccountNumber, 128);
  return [ids.phone, ids.email, ids.webSessionId, ids.kioskCardId, ids.kioskAccountNumber].filter(
    (v) => v !== "",
  ).length;
}

/**
 * Every problem of a submitted contact, named by field path (empty when valid). The tenant
 * is the caller's; a contact naming another one is refused rather than silently moved.
 */
export function validateSubmittedContact(contact: Contact | undefined, tenant: string): Violations {
  const out: Violations = [];
  if (contact === undefined) return [{ field: "contact", description: "required" }];
  if (contact.tenant !== "" && contact.tenant !== tenant) {
    out.push({ field: "contact.tenant", description: "must be empty or the caller's tenant" });
  }
  knownEnum(out, "contact.channel", contact.channel, Channel);
  if (!IDEMPOTENCY_KEY.test(contact.idempotencyKey)) {
    out.push({
      field: "contact.idempotency_key",
      description: "required: 1–128 printable ASCII characters without spaces",
    });
  }
  const customer = contact.customer;
  if (customer === undefined) {
    out.push({ field: "contact.customer", description: "required" });
  } else {
    maxLength(out, "contact.customer.id", customer.id, 256);
    maxLength(out, "contact.customer.display_name", customer.displayName, 256);
    const known = customer.identifiers === undefined ? 0 : identifiers(out, customer.identifiers);
    if (customer.id === "" && known === 0) {
      out.push({
        field: "contact.customer.identifiers",
        description: "at least one identifier (phone, email, web session, kiosk) or customer.id",
      });
    }
  }
  skills(out, "contact.required_skills", contact.requiredSkills);
  skills(out, "contact.optional_skills", contact.optionalSkills);
  range(out, "contact.complexity", contact.complexity, 0, 5);
  range(out, "contact.priority", contact.priority, 0, 100);
  language(out, "contact.language", contact.language);
  if (contact.intermediary !== undefined) {
    knownEnum(out, "contact.intermediary.kind", contact.intermediary.kind, IntermediaryKind);
    if (contact.intermediary.id === "") {
      out.push({ field: "contact.intermediary.id", description: "required" });
    }
    maxLength(out, "contact.intermediary.id", contact.intermediary.id, 128);
    maxLength(out, "contact.intermediary.display_name", contact.intermediary.displayName, 256);
  }
  if (contact.account !== undefined) {
    if (contact.account.id === "")
      out.push({ field: "contact.account.id", description: "required" });
    maxLength(out, "contact.account.id", contact.account.id, 128);
    maxLength(out, "contact.account.owner_team", contact.account.ownerTeam, 64);
    maxLength(out, "contact.account.display_name", contact.account.displayName, 256);
  }
  maxLength(out, "contact.subject", contact.subject, 256);
  maxLength(out, "contact.summary", contact.summary, 4096);
  const metadata = Object.entries(contact.channelMetadata);
  maxCount(out, "contact.channel_metadata", metadata.length, 64);
  for (const [key, value] of metadata) {
    if (key === "" || key.length > 128) {
      out.push({ field: "contact.channel_metadata", description: "keys must be 1–128 characters" });
    }
    if (Buffer.byteLength(value, "utf8") > MAX_METADATA_VALUE_BYTES) {
      out.push({
        field: `contact.channel_metadata[${JSON.stringify(key.slice(0, 64))}]`,
        description: `at most ${MAX_METADATA_VALUE_BYTES} bytes`,
      });
    }
  }
  optionalId(out, "contact.queue_id", contact.queueId);
  optionalId(out, "contact.preferred_agent_id", contact.preferredAgentId);
  return out;
}
