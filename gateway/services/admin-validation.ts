import type { Duration } from "@bufbuild/protobuf/wkt";
import {
  knownEnum,
  language,
  maxCount,
  maxLength,
  optionalId,
  range,
  requireId,
  SKILL_PATTERN,
  type Violations,
} from "../../core/index.js";
import {
  type Agent,
  Channel,
  IntermediaryKind,
  type Queue,
  type RoutingRule,
  type SkillLevel,
  type SkillRequirement,
} from "../../proto/index.js";

/** Milliseconds of a proto Duration (unset → undefined). */
export function durationMs(d: Duration | undefined): number | undefined {
  return d === undefined ? undefined : Number(d.seconds) * 1000 + Math.trunc(d.nanos / 1e6);
}

function duration(
  out: Violations,
  field: string,
  d: Duration | undefined,
  min: number,
  max: number,
) {
  const ms = durationMs(d);
  if (ms !== undefined && !(ms >= min && ms <= max)) {
    out.push({ field, description: `must be between ${min / 1000} s and ${max / 1000} s` });
  }
}

function skillList(
  out: Violations,
  field: string,
  list: readonly (SkillLevel | SkillRequirement)[],
  max: number,
) {
  maxCount(out, field, list.length, max);
  const seen = new Set<string>();
  list.forEach((s, i) => {
    if (!SKILL_PATTERN.test(s.skill)) {
      out.push({ field: `${field}[${i}].skill`, description: "must be 1–64 of [a-z0-9._-]" });
    } else if (seen.has(s.skill))
      out.push({ field: `${field}[${i}].skill`, description: "listed twice" });
    seen.add(s.skill);
    const level = "proficiency" in s ? s.proficiency : s.minProficiency;
    range(
      out,
      `${field}[${i}].${"proficiency" in s ? "proficiency" : "min_proficiency"}`,
      level,
      0,
      5,
    );
  });
}

function ids(out: Violations, field: string, list: readonly string[], max = 64) {
  maxCount(out, field, list.length, max);
  list.forEach((id, i) => {
    requireId(out, `${field}[${i}]`, id);
  });
}

function tenantOf(out: Violations, field: string, value: string, tenant: string) {
  if (value !== "" && value !== tenant) {
    out.push({ field, description: "must be empty or the caller's tenant" });
  }
}

function timeZone(out: Violations, field: string, zone: string) {
  if (zone === "") return;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
  } catch {
    out.push({ field, description: 'must be an IANA time zone, e.g. "Europe/Brussels"' });
  }
}

export function validateAgent(agent: Agent | undefined, tenant: string): Violations {
  if (agent === undefined) return [{ field: "agent", description: "required" }];
  const out: Violations = [];
  requireId(out, "agent.id", agent.id);
  tenantOf(out, "agent.tenant", agent.tenant, tenant);
  maxLength(out, "agent.display_name", agent.displayName, 128);
  skillList(out, "agent.skills", agent.skills, 64);
  range(out, "agent.complexity_tier", agent.complexityTier, 0, 5);
  maxCount(out, "agent.languages", agent.languages.length, 32);
  agent.languages.forEach((l, i) => {
    if (l === "") out.push({ field: `agent.languages[${i}]`, description: "must not be empty" });
    language(out, `agent.languages[${i}]`, l);
  });
  const channels = new Set<Channel>();
  agent.channelCapacities.forEach((c, i) => {
    const at = `agent.channel_capacities[${i}]`;
    knownEnum(out, `${at}.channel`, c.channel, Channel);
    if (channels.has(c.channel)) out.push({ field: `${at}.channel`, description: "listed twice" });
    channels.add(c.channel);
    range(out, `${at}.max_concurrent`, c.maxConcurrent, 1, 100);
    range(out, `${at}.load_weight`, c.loadWeight, 0, 100);
  });
  range(out, "agent.load_capacity", agent.loadCapacity, 0, 10_000);
  optionalId(out, "agent.team", agent.team);
  ids(out, "agent.extra_teams", agent.extraTeams);
  const auth = agent.authorizations;
  if (auth !== undefined) {
    auth.intermediaryKinds.forEach((k, i) => {
      knownEnum(out, `agent.authorizations.intermediary_kinds[${i}]`, k, IntermediaryKind);
    });
    maxCount(out, "agent.authorizations.intermediary_ids", auth.intermediaryIds.length, 1000);
    maxCount(out, "agent.authorizations.account_ids", auth.accountIds.length, 1000);
  }
  const schedule = agent.schedule;
  if (schedule !== undefined) {
    timeZone(out, "agent.schedule.time_zone", schedule.timeZone);
    maxCount(out, "agent.schedule.shifts", schedule.shifts.length, 7 * 8);
    schedule.shifts.forEach((s, i) => {
      const at = `agent.schedule.shifts[${i}]`;
      range(out, `${at}.day_of_week`, s.dayOfWeek, 1, 7);
      range(out, `${at}.start_minute`, s.startMinute, 0, 1439);
      range(out, `${at}.end_minute`, s.endMinute, 1, 1440);
      if (s.endMinute <= s.startMinute) {
        out.push({ field: `${at}.end_minute`, description: "must be after start_minute" });
      }
    });
  }
  return out;
}

const HOUR_MS = 3_600_000;
/** The longest offer timeout a queue may set. */
export const MAX_OFFER_TIMEOUT_MS = 600_000;

export function validateQueue(queue: Queue | undefined, tenant: string): Violations {
  if (queue === undefined) return [{ field: "queue", description: "required" }];
  const out: Violations = [];
  requireId(out, "queue.id", queue.id);
  tenantOf(out, "queue.tenant", queue.tenant, tenant);
  maxLength(out, "queue.name", queue.name, 128);
  if (queue.serviceLevel !== undefined) {
    range(out, "queue.service_level.percent", queue.serviceLevel.percent, 1, 100);
    duration(
      out,
      "queue.service_level.threshold",
      queue.serviceLevel.threshold,
      1,
      30 * 24 * HOUR_MS,
    );
  }
  range(out, "queue.priority", queue.priority, 0, 100);
  range(out, "queue.priority_aging_per_minute", queue.priorityAgingPerMinute, 0, 1000);
  duration(out, "queue.offer_timeout", queue.offerTimeout, 5000, MAX_OFFER_TIMEOUT_MS);
  duration(out, "queue.wrap_up", queue.wrapUp, 0, 1_800_000);
  duration(out, "queue.preferred_agent_wait", queue.preferredAgentWait, 0, HOUR_MS);
  duration(out, "queue.callback_offer_threshold", queue.callbackOfferThreshold, 0, 24 * HOUR_MS);
  duration(out, "queue.repeat_contact_window", queue.repeatContactWindow, 0, 90 * 24 * HOUR_MS);
  duration(
    out,
    "queue.preferred_agent_lookback",
    queue.preferredAgentLookback,
    0,
    365 * 24 * HOUR_MS,
  );
  range(out, "queue.repeat_contact_priority_boost", queue.repeatContactPriorityBoost, 0, 100);
  ids(out, "queue.teams", queue.teams);
  skillList(out, "queue.required_skills", queue.requiredSkills, 16);
  maxCount(out, "queue.escalation_steps", queue.escalationSteps.length, 16);
  let previousMs = -1;
  queue.escalationSteps.forEach((step, i) => {
    const at = `queue.escalation_steps[${i}]`;
    const afterMs = durationMs(step.after) ?? -1;
    if (afterMs < 0) out.push({ field: `${at}.after`, description: "required, not negative" });
    else if (afterMs <= previousMs) {
      out.push({ field: `${at}.after`, description: "must be later than the previous step's" });
    }
    previousMs = Math.max(previousMs, afterMs);
    range(out, `${at}.lower_min_proficiency_by`, step.lowerMinProficiencyBy, 0, 4);
    ids(out, `${at}.add_teams`, step.addTeams);
    optionalId(out, `${at}.overflow_queue_id`, step.overflowQueueId);
    if (step.overflowQueueId === queue.id) {
      out.push({ field: `${at}.overflow_queue_id`, description: "must not be the queue itself" });
    }
    optionalId(out, `${at}.overflow_site`, step.overflowSite);
  });
  return out;
}

export function validateRule(rule: RoutingRule | undefined, tenant: string): Violations {
  if (rule === undefined) return [{ field: "rule", description: "required" }];
  const out: Violations = [];
  requireId(out, "rule.id", rule.id);
  tenantOf(out, "rule.tenant", rule.tenant, tenant);
  maxLength(out, "rule.name", rule.name, 128);
  requireId(out, "rule.queue_id", rule.queueId);
  range(out, "rule.priority_boost", rule.priorityBoost, 0, 100);
  const match = rule.match;
  if (match !== undefined) {
    match.channels.forEach((c, i) => {
      knownEnum(out, `rule.match.channels[${i}]`, c, Channel);
    });
    match.skills.forEach((s, i) => {
      if (!SKILL_PATTERN.test(s)) {
        out.push({ field: `rule.match.skills[${i}]`, description: "must be 1–64 of [a-z0-9._-]" });
      }
    });
    match.languages.forEach((l, i) => {
      language(out, `rule.match.languages[${i}]`, l);
    });
    maxCount(out, "rule.match.account_ids", match.accountIds.length, 1000);
    match.intermediaryKinds.forEach((k, i) => {
      knownEnum(out, `rule.match.intermediary_kinds[${i}]`, k, IntermediaryKind);
    });
    maxCount(out, "rule.match.metadata", Object.keys(match.metadata).length, 64);
  }
  return out;
}
