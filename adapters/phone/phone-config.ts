import { type Config, E164, invalidArgument } from "../../core/index.js";
import { IntermediaryKind } from "../../proto/index.js";
import { channelsSection } from "../kit/index.js";
import type { DialTarget } from "./voice-provider.js";

/** A language the caller can pick; `code` (optional) becomes contact.language for routing. */
export interface PhoneLanguage {
  readonly digit: string;
  readonly name: string;
  /** The provider's speech language, e.g. "en-US". */
  readonly voice: string;
  readonly code?: string;
}

/** One IVR menu entry: a topic (queue/skills/priority) or "calling on behalf of someone". */
export interface MenuOption {
  readonly digit: string;
  readonly label: string;
  readonly queue?: string;
  readonly skills: readonly string[];
  readonly priority?: number;
  /** Set: choosing it marks a present intermediary of this kind, then asks for the topic. */
  readonly onBehalf?: IntermediaryKind;
}

export const PROMPT_KEYS = [
  "welcome",
  "languageOption",
  "menuOption",
  "invalid",
  "onBehalfNoted",
  "queued",
  "position",
  "waitMinutes",
  "waitUnderMinute",
  "callbackOffer",
  "callbackConfirmed",
  "connecting",
  "callbackGreeting",
  "ended",
  "unavailable",
] as const;
export type PromptKey = (typeof PROMPT_KEYS)[number];
export type Prompts = Readonly<Record<PromptKey, string>>;

/** What a caller hears when nothing else is configured ({placeholders} are filled in). */
export const DEFAULT_PROMPTS: Prompts = {
  welcome: "Welcome.",
  languageOption: "For {name}, press {digit}.",
  menuOption: "For {label}, press {digit}.",
  invalid: "Sorry, that is not one of the options.",
  onBehalfNoted:
    "Thank you, we have noted that you are calling on behalf of someone else. Now please choose the topic of your call.",
  queued: "Thank you. Please hold, an agent will be with you as soon as possible.",
  position: "You are number {position} in the queue.",
  waitMinutes: "Your expected wait is about {minutes} minutes.",
  waitUnderMinute: "Your expected wait is less than a minute.",
  callbackOffer: "To be called back instead, keeping your place in the queue, press 1 at any time.",
  callbackConfirmed:
    "Thank you. You keep your place in the queue and we will call you back at this number as soon as an agent is free. Goodbye.",
  connecting: "Connecting you to an agent now.",
  callbackGreeting: "Hello, this is the callback you asked for. Connecting you to an agent now.",
  ended: "Your call has ended. Thank you for calling. Goodbye.",
  unavailable: "Sorry, we cannot take your call right now. Please try again later. Goodbye.",
};

export interface PhoneConfig {
  readonly defaultTenant: string;
  /** Dialled number (E.164) → tenant; others go to `defaultTenant`. */
  readonly tenantByNumber: ReadonlyMap<string, string>;
  readonly languages: readonly PhoneLanguage[];
  readonly menu: readonly MenuOption[];
  /** The option taken after `maxAttempts` invalid or missing answers. */
  readonly defaultOption: MenuOption;
  readonly maxAttempts: number;
  readonly gatherTimeoutSeconds: number;
  readonly holdMusicUrl?: string;
  readonly callbacks: {
    readonly enabled: boolean;
    /** Which agent event places the outbound call. */
    readonly placeOn: "offered" | "accepted";
    /** Caller id of outbound callback calls; default: the number the customer dialled. */
    readonly callerId?: string;
  };
  /** Agent id → what <Dial> rings; default `{ client: agentId }`. */
  readonly agents: ReadonlyMap<string, DialTarget>;
  /** Provider speech language → prompts (missing keys: DEFAULT_PROMPTS). */
  readonly prompts: ReadonlyMap<string, Prompts>;
}

const DIGIT = /^[0-9]$/;
const SKILL = /^[a-z0-9._-]{1,64}$/;
const ID = /^[A-Za-z0-9._:-]{1,128}$/;
const LANGUAGE = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;
// A client identity: Twilio's SDKs take letters, digits and underscores.
const CLIENT = /^[A-Za-z0-9_.-]{1,128}$/;
const KINDS: Readonly<Record<string, IntermediaryKind>> = {
  broker: IntermediaryKind.BROKER,
  reseller: IntermediaryKind.RESELLER,
  partner: IntermediaryKind.PARTNER,
  carer: IntermediaryKind.CARER,
  interpreter: IntermediaryKind.INTERPRETER,
};

const DEFAULT_MENU: readonly MenuOption[] = [
  { digit: "1", label: "sales", queue: "sales", skills: ["sales"] },
  { digit: "2", label: "support", queue: "support", skills: ["support"] },
  {
    digit: "9",
    label: "calls on behalf of someone else",
    skills: [],
    onBehalf: IntermediaryKind.CARER,
  },
];

/**
 * The `phone` section of `--channels-file`, validated, with defaults for everything absent
 * (so `npm start` works with no file: English only, 1 = sales, 2 = support, 9 = on behalf of
 * someone). A bad key is INVALID_ARGUMENT naming it (`switchboard` exits 2 with that line).
 */
export function loadPhoneConfig(config: Config): PhoneConfig {
  return parsePhoneSection(channelsSection(config, "phone"), config.tenants[0] ?? "default");
}

export function parsePhoneSection(
  section: Record<string, unknown>,
  defaultTenant: string,
): PhoneConfig {
  const at = (key: string) => `--channels-file phone.${key}`;
  const bad = (key: string, description: string): never => {
    throw invalidArgument([{ field: at(key), description }]);
  };
  const known = new Set([
    "tenants",
    "languages",
    "menu",
    "defaultOption",
    "maxAttempts",
    "gatherTimeoutSeconds",
    "holdMusicUrl",
    "callbacks",
    "agents",
    "prompts",
  ]);
  for (const key of Object.keys(section)) {
    if (!known.has(key)) bad(key, `unknown key; expected one of ${[...known].join(", ")}`);
  }
  const mapping = (key: string, value: unknown): Record<string, unknown> => {
    if (value === undefined || value === null) return {};
    if (typeof value !== "object" || Array.isArray(value)) return bad(key, "must be a mapping");
    return value as Record<string, unknown>;
  };
  const str = (key: string, value: unknown, pattern?: RegExp, hint?: string): string => {
    if (typeof value === "number") value = String(value);
    if (typeof value !== "string" || value === "" || value.length > 512)
      return bad(key, "must be a non-empty string");
    if (pattern !== undefined && !pattern.test(value)) return bad(key, hint ?? "invalid");
    return value;
  };
  const int = (key: string, value: unknown, min: number, max: number, fallback: number) => {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
      return bad(key, `must be an integer from ${min} to ${max}`);
    return value;
  };
  const url = (key: string, value: unknown): string => {
    const s = str(key, value);
    try {
      const u = new URL(s);
      if (u.protocol === "https:" || u.protocol === "http:") return s;
    } catch {
      // falls through
    }
    return bad(key, "must be an http(s) URL");
  };

  const tenantByNumber = new Map<string, string>();
  for (const [number, tenant] of Object.entries(mapping("tenants", section.tenants))) {
    if (!E164.test(number)) bad(`tenants.${number}`, "keys must be E.164 numbers");
    tenantByNumber.set(
      number,
      str(`tenants.${number}`, tenant, /^[a-z0-9_-]{1,64}$/, "a tenant id"),
    );
  }

  const languages: PhoneLanguage[] = [];
  if (section.languages !== undefined) {
    if (!Array.isArray(section.languages) || section.languages.length === 0)
      bad("languages", "must be a non-empty list");
    (section.languages as unknown[]).forEach((raw, i) => {
      const l = mapping(`languages[${i}]`, raw);
      const code =
        l.code === undefined
          ? undefined
          : str(`languages[${i}].code`, l.code, LANGUAGE, 'a BCP 47 tag such as "fr"');
      languages.push({
        digit: str(`languages[${i}].digit`, l.digit, DIGIT, "one digit 0-9"),
        name: str(`languages[${i}].name`, l.name),
        voice: str(`languages[${i}].voice`, l.voice ?? "en-US", LANGUAGE, 'e.g. "en-US"'),
        ...(code === undefined ? {} : { code }),
      });
    });
  } else {
    languages.push({ digit: "1", name: "English", voice: "en-US" });
  }
  unique(
    "languages",
    languages.map((l) => l.digit),
    bad,
  );

  let menu: MenuOption[] = [...DEFAULT_MENU];
  if (section.menu !== undefined) {
    if (!Array.isArray(section.menu) || section.menu.length === 0)
      bad("menu", "must be a non-empty list");
    menu = (section.menu as unknown[]).map((raw, i) => {
      const o = mapping(`menu[${i}]`, raw);
      const key = `menu[${i}]`;
      const digit = str(`${key}.digit`, o.digit, DIGIT, "one digit 0-9");
      const label = str(`${key}.label`, o.label);
      if (o.onBehalf !== undefined) {
        const kind = KINDS[String(o.onBehalf)];
        if (kind === undefined) bad(`${key}.onBehalf`, `one of ${Object.keys(KINDS).join(", ")}`);
        return { digit, label, skills: [], onBehalf: kind as IntermediaryKind };
      }
      const skills = o.skills === undefined ? [] : o.skills;
      if (!Array.isArray(skills) || skills.length > 16)
        bad(`${key}.skills`, "a list of at most 16");
      const option: { -readonly [K in keyof MenuOption]: MenuOption[K] } = {
        digit,
        label,
        skills: (skills as unknown[]).map((s, j) =>
          str(`${key}.skills[${j}]`, s, SKILL, "1–64 of [a-z0-9._-]"),
        ),
      };
      if (o.queue !== undefined) option.queue = str(`${key}.queue`, o.queue, ID, "a queue id");
      if (o.priority !== undefined) option.priority = int(`${key}.priority`, o.priority, 0, 100, 0);
      return option;
    });
  }
  unique(
    "menu",
    menu.map((o) => o.digit),
    bad,
  );
  const topics = menu.filter((o) => o.onBehalf === undefined);
  if (topics.length === 0) bad("menu", "needs at least one option that is not onBehalf");
  const defaultDigit =
    section.defaultOption === undefined
      ? topics[0]?.digit
      : str("defaultOption", section.defaultOption, DIGIT, "one digit 0-9");
  const defaultOption = topics.find((o) => o.digit === defaultDigit);
  if (defaultOption === undefined)
    return bad("defaultOption", "must be the digit of a topic option");

  const callbacksRaw = mapping("callbacks", section.callbacks);
  for (const key of Object.keys(callbacksRaw)) {
    if (!["enabled", "placeOn", "callerId"].includes(key))
      bad(`callbacks.${key}`, "unknown key; expected enabled, placeOn or callerId");
  }
  if (callbacksRaw.enabled !== undefined && typeof callbacksRaw.enabled !== "boolean")
    bad("callbacks.enabled", "true or false");
  const placeOn = callbacksRaw.placeOn ?? "accepted";
  if (placeOn !== "offered" && placeOn !== "accepted")
    bad("callbacks.placeOn", '"offered" or "accepted"');
  const callerId =
    callbacksRaw.callerId === undefined
      ? undefined
      : str("callbacks.callerId", callbacksRaw.callerId, E164, "an E.164 number");

  const agents = new Map<string, DialTarget>();
  for (const [agentId, raw] of Object.entries(mapping("agents", section.agents))) {
    const a = mapping(`agents.${agentId}`, raw);
    if (a.number !== undefined) {
      agents.set(agentId, {
        number: str(`agents.${agentId}.number`, a.number, E164, "an E.164 number"),
      });
    } else if (a.client !== undefined) {
      agents.set(agentId, {
        client: str(`agents.${agentId}.client`, a.client, CLIENT, "letters, digits, _ . -"),
      });
    } else {
      bad(`agents.${agentId}`, "needs number (E.164) or client (identity)");
    }
  }

  const prompts = new Map<string, Prompts>();
  for (const [voice, raw] of Object.entries(mapping("prompts", section.prompts))) {
    const p = mapping(`prompts.${voice}`, raw);
    const merged: Record<string, string> = { ...DEFAULT_PROMPTS };
    for (const [key, value] of Object.entries(p)) {
      if (!(PROMPT_KEYS as readonly string[]).includes(key))
        bad(`prompts.${voice}.${key}`, `unknown prompt; expected one of ${PROMPT_KEYS.join(", ")}`);
      merged[key] = str(`prompts.${voice}.${key}`, value);
    }
    prompts.set(voice, merged as Prompts);
  }

  const holdMusicUrl =
    section.holdMusicUrl === undefined ? undefined : url("holdMusicUrl", section.holdMusicUrl);
  return {
    defaultTenant,
    tenantByNumber,
    languages,
    menu,
    defaultOption,
    maxAttempts: int("maxAttempts", section.maxAttempts, 1, 10, 3),
    gatherTimeoutSeconds: int("gatherTimeoutSeconds", section.gatherTimeoutSeconds, 1, 60, 6),
    ...(holdMusicUrl === undefined ? {} : { holdMusicUrl }),
    callbacks: {
      enabled: callbacksRaw.enabled !== false,
      placeOn: placeOn as "offered" | "accepted",
      ...(callerId === undefined ? {} : { callerId }),
    },
    agents,
    prompts,
  };
}

function unique(key: string, digits: readonly string[], bad: (k: string, d: string) => never) {
  const seen = new Set<string>();
  for (const d of digits) {
    if (seen.has(d)) bad(key, `digit ${d} is used twice`);
    seen.add(d);
  }
}

/** Fills `{name}` placeholders. */
export function fill(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (all, key: string) =>
    values[key] === undefined ? all : String(values[key]),
  );
}
