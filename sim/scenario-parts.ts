/** Normalizes the list parts of a scenario: arrival streams and agent groups. */
import {
  CHANNELS,
  type Channel,
  INTERMEDIARY_KINDS,
  type IntermediaryKind,
} from "../router/index.js";
import type { Obj, Reader } from "./scenario-reader.js";
import type {
  AgentGroupSpec,
  DurationDist,
  ShiftSpec,
  SkillMixEntry,
  StreamSpec,
} from "./scenario-types.js";

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

export function readDist<F extends DurationDist | null>(
  r: Reader,
  raw: unknown,
  at: string,
  fallback: F,
): DurationDist | F {
  if (raw === undefined || raw === null) return fallback;
  const o = r.obj(raw, at);
  const dist = r.str(o, "dist", at, "exponential");
  const meanS = r.num(o, "meanS", at, { min: 0 });
  if (dist === "exponential" || dist === "constant") return { dist, meanS } as DurationDist;
  if (dist === "lognormal")
    return { dist, meanS, cv: r.num(o, "cv", at, { min: 0.001 }) } as DurationDist;
  r.fail(`${at}.dist`, `must be exponential, lognormal or constant, got ${JSON.stringify(dist)}`);
  return fallback;
}

export function readDay(r: Reader, v: unknown, at: string): number {
  if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 6) return v;
  const i = typeof v === "string" ? DAYS.indexOf(v.slice(0, 3).toLowerCase()) : -1;
  if (i < 0) r.fail(at, `must be a weekday (mon..sun or 0..6), got ${JSON.stringify(v)}`);
  return Math.max(0, i);
}

function readChannel(r: Reader, v: unknown, at: string): Channel {
  if (CHANNELS.includes(v as Channel)) return v as Channel;
  r.fail(at, `must be one of ${CHANNELS.join(", ")}, got ${JSON.stringify(v)}`);
  return "VOICE";
}

function readProfile(r: Reader, o: Obj, key: string, at: string, length: number): number[] {
  const raw = r.list(o, key, at);
  if (raw.length === 0) return new Array<number>(length).fill(1);
  if (raw.length !== length || raw.some((v) => typeof v !== "number" || !(v >= 0))) {
    r.fail(`${at}.${key}`, `must list ${length} numbers >= 0`);
    return new Array<number>(length).fill(1);
  }
  return raw as number[];
}

function skillReqs(r: Reader, o: Obj, key: string, at: string) {
  return r.weights(o, key, at).map(([skill, min]) => {
    if (!Number.isInteger(min) || min < 1 || min > 5)
      r.fail(`${at}.${key}.${skill}`, `must be a proficiency 1..5, got ${min}`);
    return { skill, minProficiency: min };
  });
}

export function readStream(r: Reader, raw: unknown, at: string): StreamSpec {
  const o = r.obj(raw, at);
  const mix: SkillMixEntry[] = r.list(o, "skills", at).map((m, i) => {
    const mo = r.obj(m, `${at}.skills[${i}]`);
    const mat = `${at}.skills[${i}]`;
    return {
      weight: r.num(mo, "weight", mat, { min: 0, fallback: 1 }),
      required: skillReqs(r, mo, "required", mat),
      optional: skillReqs(r, mo, "optional", mat),
    };
  });
  const complexity = r.list(o, "complexity", at);
  const langs = r.weights(o, "languages", at);
  const im = r.obj(o.intermediary, `${at}.intermediary`);
  const kinds = r.weights(im, "kinds", `${at}.intermediary`);
  for (const [k] of kinds)
    if (!INTERMEDIARY_KINDS.includes(k as IntermediaryKind))
      r.fail(`${at}.intermediary.kinds.${k}`, `must be one of ${INTERMEDIARY_KINDS.join(", ")}`);
  const acct = r.obj(o.account, `${at}.account`);
  const attributes = r.obj(o.attributes, `${at}.attributes`);
  const handle = readDist(r, o.handle, `${at}.handle`, null);
  if (handle === null) r.fail(`${at}.handle`, "is required");
  return {
    id: r.str(o, "id", at),
    channel: readChannel(r, o.channel ?? "VOICE", `${at}.channel`),
    perHour: r.num(o, "perHour", at, { min: 0 }),
    utcOffsetHours: r.num(o, "utcOffsetHours", at, { min: -12, max: 14, fallback: 0 }),
    hourly: readProfile(r, o, "hourly", at, 24),
    weekly: readProfile(r, o, "weekly", at, 7),
    skillMix: mix.length > 0 ? mix : [{ weight: 1, required: [], optional: [] }],
    complexity:
      complexity.length === 0
        ? [1, 0, 0, 0, 0]
        : [0, 1, 2, 3, 4].map((i) => Number(complexity[i] ?? 0)),
    languages: langs.map(([l]) => l),
    languageWeights: langs.map(([, w]) => w),
    intermediary: {
      share: r.num(im, "share", `${at}.intermediary`, { min: 0, max: 1, fallback: 0 }),
      kinds: kinds.length > 0 ? kinds.map(([k]) => k as IntermediaryKind) : ["BROKER"],
      kindWeights: kinds.length > 0 ? kinds.map(([, w]) => w) : [1],
      ids: r.num(im, "ids", `${at}.intermediary`, { min: 1, int: true, fallback: 10 }),
    },
    account: {
      share: r.num(acct, "share", `${at}.account`, { min: 0, max: 1, fallback: 0 }),
      institutional: acct.institutional === true,
      accounts: r.num(acct, "accounts", `${at}.account`, { min: 1, int: true, fallback: 10 }),
    },
    repeatShare: r.num(o, "repeatShare", at, { min: 0, max: 1, fallback: 0 }),
    priority: r.num(o, "priority", at, { min: -1000, max: 1000, int: true, fallback: 0 }),
    attributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, String(v)])),
    handle: handle ?? { dist: "exponential", meanS: 180 },
    wrapUp: readDist(r, o.wrapUp, `${at}.wrapUp`, null),
    patience: readDist(r, o.patience, `${at}.patience`, null),
  };
}

function readShift(r: Reader, raw: unknown, at: string): ShiftSpec {
  const o = r.obj(raw, at);
  const start = r.str(o, "start", at, "00:00");
  const m = /^(\d{1,2}):(\d{2})$/.exec(start);
  if (m === null) r.fail(`${at}.start`, `must be HH:MM, got ${JSON.stringify(start)}`);
  const days = r.list(o, "days", at);
  return {
    days: (days.length === 0 ? [0, 1, 2, 3, 4, 5, 6] : days).map((d, i) =>
      readDay(r, d, `${at}.days[${i}]`),
    ),
    startMinute: m === null ? 0 : Number(m[1]) * 60 + Number(m[2]),
    durationMinutes: r.num(o, "hours", at, { min: 0, max: 168 }) * 60,
  };
}

export function readAgentGroup(r: Reader, raw: unknown, at: string): AgentGroupSpec {
  const o = r.obj(raw, at);
  const skills = r.weights(o, "skills", at).map(([skill, proficiency]) => {
    if (!Number.isInteger(proficiency) || proficiency < 1 || proficiency > 5)
      r.fail(`${at}.skills.${skill}`, `must be a proficiency 1..5, got ${proficiency}`);
    return { skill, proficiency };
  });
  const channels = r
    .list(o, "channels", at)
    .map((c, i) => readChannel(r, c, `${at}.channels[${i}]`));
  const languages = r.list(o, "languages", at).map(String);
  const auth =
    o.authorizations === undefined ? null : r.obj(o.authorizations, `${at}.authorizations`);
  return {
    id: r.str(o, "id", at),
    count: r.num(o, "count", at, { min: 0, int: true }),
    utcOffsetHours: r.num(o, "utcOffsetHours", at, { min: -12, max: 14, fallback: 0 }),
    shifts: r.list(o, "shifts", at).map((s, i) => readShift(r, s, `${at}.shifts[${i}]`)),
    skills,
    complexityTier: r.num(o, "complexityTier", at, { min: 1, max: 5, int: true, fallback: 5 }),
    languages,
    channels: channels.length > 0 ? channels : [...CHANNELS],
    team: typeof o.team === "string" ? o.team : null,
    authorizations: auth,
  };
}
