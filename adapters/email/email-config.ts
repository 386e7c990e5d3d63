import {
  type Config,
  type FieldViolation,
  ID_PATTERN,
  invalidArgument,
  LANGUAGE_PATTERN,
  SKILL_PATTERN,
} from "../../core/index.js";
import { channelsSection } from "../kit/index.js";

/** Where mail to one recipient (or a domain) goes. */
export interface EmailRoute {
  /** Lower-cased `local@domain`, or `*@domain` for a whole domain. */
  readonly recipient: string;
  readonly tenant: string;
  /** Empty: the router's rules decide (default queue). */
  readonly queue: string;
  readonly skills: readonly { readonly skill: string; readonly minProficiency: number }[];
  readonly priority: number;
  /** A BCP 47 tag the agent must speak; empty: any. */
  readonly language: string;
}

export interface SmtpUser {
  readonly username: string;
  readonly password: string;
}

/** The `email` section of `--channels-file`, validated, with defaults filled in. */
export interface EmailSettings {
  /** Tenant of recipients no route names (default: the first of --tenants). */
  readonly tenant: string;
  readonly routes: readonly EmailRoute[];
  /** Recipients no route matches: refused with 550 (true) or routed by default (false). */
  readonly rejectUnknownRecipients: boolean;
  /** SMTP AUTH users; empty: AUTH is not offered. */
  readonly users: readonly SmtpUser[];
  /** With users: must a client authenticate before MAIL FROM? */
  readonly authRequired: boolean;
  /** Allow AUTH without STARTTLS (only sensible on a private network). */
  readonly allowInsecureAuth: boolean;
  /** Send the automatic acknowledgement. */
  readonly acknowledge: boolean;
  /** How long thread mappings (Message-ID → contact, reference → contact) are kept. */
  readonly threadTtlMs: number;
  /** Outbound delivery attempts before a mail is dead-lettered, and the waits between. */
  readonly outboundMaxDeliver: number;
  readonly outboundBackoffMs: readonly number[];
}

const ADDRESS = /^(\*|[^\s@*]+)@[^\s@*]+$/;
const DAY_MS = 86_400_000;

/** Reads and validates `email:` of --channels-file; a bad key → INVALID_ARGUMENT naming it. */
export function loadEmailSettings(config: Config): EmailSettings {
  const raw = channelsSection(config, "email");
  const out: FieldViolation[] = [];
  const at = (key: string) => `--channels-file email.${key}`;
  const known = new Set([
    "tenant",
    "routes",
    "rejectUnknownRecipients",
    "auth",
    "acknowledge",
    "threadTtlDays",
    "outbound",
  ]);
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) out.push({ field: at(key), description: "unknown key" });
  }
  const defaultTenant = config.tenants[0] ?? "default";
  const tenant = str(raw.tenant, at("tenant"), out) || defaultTenant;
  if (!ID_PATTERN.test(tenant)) out.push({ field: at("tenant"), description: "not a tenant id" });

  const routes: EmailRoute[] = [];
  const rawRoutes = raw.routes ?? [];
  if (!Array.isArray(rawRoutes)) out.push({ field: at("routes"), description: "must be a list" });
  else {
    rawRoutes.forEach((r: unknown, i) => {
      const route = parseRoute(r, at(`routes[${i}]`), tenant, out);
      if (route !== undefined) routes.push(route);
    });
  }

  const auth = obj(raw.auth, at("auth"), out);
  const users: SmtpUser[] = [];
  const rawUsers = auth.users ?? [];
  if (!Array.isArray(rawUsers))
    out.push({ field: at("auth.users"), description: "must be a list" });
  else {
    rawUsers.forEach((u: unknown, i) => {
      const f = at(`auth.users[${i}]`);
      const user = obj(u, f, out);
      const username = str(user.username, `${f}.username`, out);
      const password = str(user.password, `${f}.password`, out);
      if (username === "" || password === "") {
        out.push({ field: f, description: "needs username and password" });
      } else users.push({ username, password });
    });
  }
  const outbound = obj(raw.outbound, at("outbound"), out);
  const maxDeliver = int(outbound.maxDeliver, at("outbound.maxDeliver"), 1, 1000, 50, out);
  const backoffMs = Array.isArray(outbound.backoffMs)
    ? outbound.backoffMs.map((v: unknown, i) =>
        int(v, at(`outbound.backoffMs[${i}]`), 10, 3_600_000, 1000, out),
      )
    : [1000, 5000, 15_000, 60_000];
  if (outbound.backoffMs !== undefined && !Array.isArray(outbound.backoffMs)) {
    out.push({ field: at("outbound.backoffMs"), description: "must be a list of milliseconds" });
  }
  const settings: EmailSettings = {
    tenant,
    routes,
    rejectUnknownRecipients: bool(
      raw.rejectUnknownRecipients,
      at("rejectUnknownRecipients"),
      false,
      out,
    ),
    users,
    authRequired: bool(auth.required, at("auth.required"), false, out),
    allowInsecureAuth: bool(auth.allowInsecure, at("auth.allowInsecure"), false, out),
    acknowledge: bool(raw.acknowledge, at("acknowledge"), true, out),
    threadTtlMs: int(raw.threadTtlDays, at("threadTtlDays"), 1, 3650, 90, out) * DAY_MS,
    outboundMaxDeliver: maxDeliver,
    outboundBackoffMs: backoffMs.length > 0 ? backoffMs : [1000],
  };
  if (settings.authRequired && users.length === 0) {
    out.push({ field: at("auth.required"), description: "needs at least one user" });
  }
  if (out.length > 0) throw invalidArgument(out);
  return settings;
}

/** The route for a recipient: an exact address first, then its domain; undefined: none. */
export function routeFor(routes: readonly EmailRoute[], recipient: string): EmailRoute | undefined {
  const address = recipient.toLowerCase();
  const domain = `*@${address.split("@").pop() ?? ""}`;
  return routes.find((r) => r.recipient === address) ?? routes.find((r) => r.recipient === domain);
}

function parseRoute(
  value: unknown,
  f: string,
  tenant: string,
  out: FieldViolation[],
): EmailRoute | undefined {
  const r = obj(value, f, out);
  const recipient = str(r.recipient, `${f}.recipient`, out).toLowerCase();
  if (!ADDRESS.test(recipient)) {
    out.push({ field: `${f}.recipient`, description: 'an address or "*@domain"' });
    return undefined;
  }
  const queue = str(r.queue, `${f}.queue`, out);
  if (queue !== "" && !ID_PATTERN.test(queue)) {
    out.push({ field: `${f}.queue`, description: "1–64 of [A-Za-z0-9._-]" });
  }
  const routeTenant = str(r.tenant, `${f}.tenant`, out) || tenant;
  if (!ID_PATTERN.test(routeTenant))
    out.push({ field: `${f}.tenant`, description: "not a tenant id" });
  const language = str(r.language, `${f}.language`, out);
  if (language !== "" && !LANGUAGE_PATTERN.test(language)) {
    out.push({ field: `${f}.language`, description: 'a BCP 47 tag such as "en" or "fr-BE"' });
  }
  const skills: { skill: string; minProficiency: number }[] = [];
  const rawSkills = r.skills ?? [];
  if (!Array.isArray(rawSkills)) out.push({ field: `${f}.skills`, description: "must be a list" });
  else {
    rawSkills.forEach((s: unknown, i) => {
      const sf = `${f}.skills[${i}]`;
      const skill = typeof s === "string" ? { skill: s } : obj(s, sf, out);
      const id = str(skill.skill, `${sf}.skill`, out);
      if (!SKILL_PATTERN.test(id))
        out.push({ field: `${sf}.skill`, description: "1–64 of [a-z0-9._-]" });
      const minProficiency = int(skill.minProficiency, `${sf}.minProficiency`, 0, 5, 0, out);
      skills.push({ skill: id, minProficiency });
    });
  }
  return {
    recipient,
    tenant: routeTenant,
    queue,
    skills,
    priority: int(r.priority, `${f}.priority`, 0, 100, 0, out),
    language,
  };
}

function obj(value: unknown, field: string, out: FieldViolation[]): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    out.push({ field, description: "must be a mapping" });
    return {};
  }
  return value as Record<string, unknown>;
}

function str(value: unknown, field: string, out: FieldViolation[]): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") {
    out.push({ field, description: "must be a string" });
    return "";
  }
  return value.trim();
}

function bool(value: unknown, field: string, fallback: boolean, out: FieldViolation[]): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "boolean") {
    out.push({ field, description: "must be true or false" });
    return fallback;
  }
  return value;
}

function int(
  value: unknown,
  field: string,
  min: number,
  max: number,
  fallback: number,
  out: FieldViolation[],
): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    out.push({ field, description: `an integer from ${min} to ${max}` });
    return fallback;
  }
  return value;
}
