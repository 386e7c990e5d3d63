import {
  type Config,
  type FieldViolation,
  ID_PATTERN,
  invalidArgument,
  SKILL_PATTERN,
} from "../../core/index.js";
import { channelsSection } from "../kit/index.js";

/** One choice of the widget's "topic" list: where a chat about it is routed. */
export interface ChatTopic {
  readonly id: string;
  /** Shown in the widget. */
  readonly label: string;
  /** Unset: the router's rules pick the queue. */
  readonly queueId?: string;
  readonly skills: readonly { readonly skill: string; readonly minProficiency: number }[];
  /** 0 (default) … 100, as Contact.priority. */
  readonly priority: number;
}

/** The `web` section of `--channels-file`, validated, with defaults filled in. */
export interface WebChatSettings {
  readonly tenant: string;
  readonly topics: ReadonlyMap<string, ChatTopic>;
  /** Where a session with an unknown topic goes; unset: such a session is refused (400). */
  readonly defaultTopic?: string;
  /** How long a session token stays valid. */
  readonly sessionTtlMs: number;
}

/** With no `topics` configured, every chat is about "general", routed by the rules. */
const GENERAL: ChatTopic = { id: "general", label: "General question", skills: [], priority: 0 };
const TOPIC_ID = /^[a-z0-9_-]{1,64}$/;
const DAY_MS = 86_400_000;

/**
 * Reads and validates the adapter's section; every problem is named (INVALID_ARGUMENT with
 * the key path, so `switchboard` exits 2 with a clear line). Example:
 *
 *   web:
 *     defaultTopic: general
 *     topics:
 *       billing: { label: "Billing", queue: billing, skills: [billing] }
 *       tech: { label: "Technical help", skills: [{ skill: tech, minProficiency: 2 }] }
 *       general: { label: "Something else" }
 */
export function webChatSettings(config: Config): WebChatSettings {
  const section = channelsSection(config, "web");
  const out: FieldViolation[] = [];
  const at = (key: string) => `--channels-file web.${key}`;
  for (const key of Object.keys(section)) {
    if (!["tenant", "topics", "defaultTopic", "sessionTtlMs"].includes(key)) {
      out.push({
        field: at(key),
        description: "unknown key (tenant, topics, defaultTopic, sessionTtlMs)",
      });
    }
  }
  const tenant = section.tenant ?? config.tenants[0] ?? "default";
  if (typeof tenant !== "string" || !ID_PATTERN.test(tenant)) {
    out.push({ field: at("tenant"), description: "must be a tenant id" });
  }
  const ttl = section.sessionTtlMs ?? DAY_MS;
  if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 60_000 || ttl > 30 * DAY_MS) {
    out.push({ field: at("sessionTtlMs"), description: "an integer from 60000 to 2592000000" });
  }
  const topics = new Map<string, ChatTopic>();
  const raw = section.topics;
  if (raw === undefined) {
    topics.set(GENERAL.id, GENERAL);
  } else if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    out.push({ field: at("topics"), description: "must be a mapping of topic id → routing" });
  } else {
    for (const [id, value] of Object.entries(raw)) {
      const topic = parseTopic(id, value, at(`topics.${id}`), out);
      if (topic !== undefined) topics.set(id, topic);
    }
    if (Object.keys(raw).length === 0) {
      out.push({ field: at("topics"), description: "must name at least one topic" });
    }
  }
  const defaultTopic = section.defaultTopic;
  if (
    defaultTopic !== undefined &&
    (typeof defaultTopic !== "string" || !topics.has(defaultTopic))
  ) {
    out.push({
      field: at("defaultTopic"),
      description: `must be one of the topics (${[...topics.keys()].join(", ")})`,
    });
  }
  if (out.length > 0) throw invalidArgument(out);
  return {
    tenant: tenant as string,
    topics,
    ...(typeof defaultTopic === "string" ? { defaultTopic } : {}),
    sessionTtlMs: ttl as number,
  };
}

function parseTopic(
  id: string,
  value: unknown,
  field: string,
  out: FieldViolation[],
): ChatTopic | undefined {
  if (!TOPIC_ID.test(id)) {
    out.push({ field, description: "a topic id is 1–64 of [a-z0-9_-]" });
    return undefined;
  }
  const spec = (value ?? {}) as Record<string, unknown>;
  if (typeof spec !== "object" || Array.isArray(spec)) {
    out.push({ field, description: "must be a mapping (label, queue, skills, priority)" });
    return undefined;
  }
  for (const key of Object.keys(spec)) {
    if (!["label", "queue", "skills", "priority"].includes(key)) {
      out.push({
        field: `${field}.${key}`,
        description: "unknown key (label, queue, skills, priority)",
      });
    }
  }
  const label = spec.label ?? id;
  if (typeof label !== "string" || label.trim() === "" || label.length > 100) {
    out.push({ field: `${field}.label`, description: "1–100 characters" });
  }
  const queue = spec.queue;
  if (queue !== undefined && (typeof queue !== "string" || !ID_PATTERN.test(queue))) {
    out.push({ field: `${field}.queue`, description: "a queue id (1–64 of [A-Za-z0-9._-])" });
  }
  const priority = spec.priority ?? 0;
  if (
    typeof priority !== "number" ||
    !Number.isInteger(priority) ||
    priority < 0 ||
    priority > 100
  ) {
    out.push({ field: `${field}.priority`, description: "an integer from 0 to 100" });
  }
  const skills: { skill: string; minProficiency: number }[] = [];
  const rawSkills = spec.skills ?? [];
  if (!Array.isArray(rawSkills)) {
    out.push({ field: `${field}.skills`, description: "a list of skills" });
  } else {
    rawSkills.forEach((s: unknown, i) => {
      const entry = typeof s === "string" ? { skill: s } : (s as Record<string, unknown>);
      const skill = entry?.skill;
      const min = entry?.minProficiency ?? 0;
      if (typeof skill !== "string" || !SKILL_PATTERN.test(skill)) {
        out.push({
          field: `${field}.skills[${i}]`,
          description: "a skill id (1–64 of [a-z0-9._-])",
        });
      } else if (typeof min !== "number" || !Number.isInteger(min) || min < 0 || min > 5) {
        out.push({ field: `${field}.skills[${i}].minProficiency`, description: "0–5" });
      } else {
        skills.push({ skill, minProficiency: min });
      }
    });
  }
  return {
    id,
    label: typeof label === "string" ? label.trim() : id,
    ...(typeof queue === "string" ? { queueId: queue } : {}),
    skills,
    priority: typeof priority === "number" ? priority : 0,
  };
}
