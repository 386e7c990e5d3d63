import { createHash } from "node:crypto";
import {
  type Config,
  type FieldViolation,
  ID_PATTERN,
  invalidArgument,
  SKILL_PATTERN,
} from "../../core/index.js";
import { IntermediaryKind, KioskFaultCode } from "../../proto/index.js";
import { channelsSection } from "../kit/index.js";

/**
 * The `kiosk` section of --channels-file, validated once at start (adapters/kiosk/README.md):
 * the devices allowed to connect (each with its own token), what each help flow needs, what
 * each fault needs, and the field-service queue. A bad entry is INVALID_ARGUMENT naming it, so
 * `switchboard` exits 2 with one clear line.
 */
export interface KioskSettings {
  readonly tenant: string;
  /** By device id. */
  readonly devices: ReadonlyMap<string, KioskDevice>;
  /** By flow name; "default" applies to flows not listed. */
  readonly flows: ReadonlyMap<string, KioskFlow>;
  /** By fault name ("paper_jam"); faults not listed get `faultDefaults`. */
  readonly faults: ReadonlyMap<string, KioskFaultSpec>;
  readonly faultQueue: string;
  readonly staffAssistedKind: IntermediaryKind;
  readonly csatQuestion: string;
  readonly maxOpenRequests: number;
  readonly heartbeatTimeoutMs: number;
  readonly callbackThresholdSeconds: number;
}

export interface KioskDevice {
  readonly id: string;
  readonly tenant: string;
  /** sha256 of the device's token, 32 bytes. */
  readonly tokenSha256: Buffer;
  readonly site: string;
  readonly location: string;
  readonly type: string;
  readonly language: string;
}

export interface SkillNeed {
  readonly skill: string;
  readonly minProficiency: number;
}

export interface KioskFlow {
  readonly complexity: number;
  readonly priority: number;
  readonly skills: readonly SkillNeed[];
  /** Empty: the routing rules choose. */
  readonly queue: string;
}

export interface KioskFaultSpec {
  readonly complexity: number;
  readonly priority: number;
  readonly skills: readonly SkillNeed[];
}

/** Device ids become a subject token (`<root>.kiosk.<tenant>.<id>`): no dots. */
const DEVICE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const FLOW_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const HEX_SHA256 = /^[0-9a-f]{64}$/;
const TEXT_MAX = 256;
const MAX_DEVICES = 10_000;

export const DEFAULT_FLOW: KioskFlow = { complexity: 1, priority: 0, skills: [], queue: "" };
export const DEFAULT_FAULT: KioskFaultSpec = { complexity: 1, priority: 50, skills: [] };
const DEFAULT_CSAT = "How satisfied are you with the help you received?";

/** "paper_jam" for KIOSK_FAULT_CODE_PAPER_JAM; "" for UNSPECIFIED or an unknown number. */
export function faultName(code: KioskFaultCode): string {
  if (code === KioskFaultCode.UNSPECIFIED) return "";
  const name = KioskFaultCode[code] as string | undefined;
  return name === undefined ? "" : name.toLowerCase();
}

/** Every defined fault code (not UNSPECIFIED). */
export const FAULT_CODES: readonly KioskFaultCode[] = Object.values(KioskFaultCode).filter(
  (v): v is KioskFaultCode => typeof v === "number" && v !== KioskFaultCode.UNSPECIFIED,
);

export function sha256(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

/** Reads and validates the `kiosk` section of --channels-file. */
export function loadKioskSettings(config: Config): KioskSettings {
  return parseKioskSection(channelsSection(config, "kiosk"), config);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Validates a `kiosk` section (already parsed from YAML/JSON); every problem at once. */
export function parseKioskSection(
  section: Obj,
  config: Pick<Config, "tenants" | "kioskHeartbeatTimeoutMs" | "callbackThresholdSeconds">,
): KioskSettings {
  const out: FieldViolation[] = [];
  const at = (path: string) => `--channels-file kiosk.${path}`;
  const known = [
    "tenant",
    "devices",
    "flows",
    "faults",
    "fault_queue",
    "staff_assisted_kind",
    "csat_question",
    "max_open_requests",
  ];
  for (const key of Object.keys(section)) {
    if (!known.includes(key)) out.push({ field: at(key), description: "unknown key" });
  }
  const text = (path: string, v: unknown, fallback: string, pattern?: RegExp): string => {
    if (v === undefined || v === null) return fallback;
    if (typeof v !== "string" || v.length > TEXT_MAX || (pattern && !pattern.test(v))) {
      out.push({
        field: at(path),
        description: pattern
          ? `must match ${pattern.source}`
          : `a string of at most ${TEXT_MAX} characters`,
      });
      return fallback;
    }
    return v;
  };
  const int = (path: string, v: unknown, fallback: number, min: number, max: number): number => {
    if (v === undefined || v === null) return fallback;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      out.push({ field: at(path), description: `an integer from ${min} to ${max}` });
      return fallback;
    }
    return v;
  };
  const skillList = (path: string, v: unknown): SkillNeed[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.length > 16) {
      out.push({ field: at(path), description: "a list of at most 16 skills" });
      return [];
    }
    return v.flatMap((s, i): SkillNeed[] => {
      const skill = isObj(s) ? s.skill : s;
      const min = isObj(s) ? (s.min_proficiency ?? 1) : 1;
      if (typeof skill !== "string" || !SKILL_PATTERN.test(skill)) {
        out.push({
          field: at(`${path}[${i}]`),
          description: "a skill id ([a-z0-9._-]) or { skill, min_proficiency }",
        });
        return [];
      }
      return [{ skill, minProficiency: int(`${path}[${i}].min_proficiency`, min, 1, 1, 5) }];
    });
  };
  const mapping = (path: string, v: unknown): Obj => {
    if (v === undefined || v === null) return {};
    if (!isObj(v)) {
      out.push({ field: at(path), description: "must be a mapping" });
      return {};
    }
    return v;
  };

  const tenant = text("tenant", section.tenant, config.tenants[0] ?? "default", ID_PATTERN);
  const devices = new Map<string, KioskDevice>();
  const seenIds = new Set<string>();
  const rawDevices = section.devices ?? [];
  if (!Array.isArray(rawDevices) || rawDevices.length > MAX_DEVICES) {
    out.push({ field: at("devices"), description: `a list of at most ${MAX_DEVICES} devices` });
  } else {
    rawDevices.forEach((d, i) => {
      const p = `devices[${i}]`;
      if (!isObj(d)) {
        out.push({ field: at(p), description: "must be a mapping { id, token_sha256, site, … }" });
        return;
      }
      for (const key of Object.keys(d)) {
        if (
          ![
            "id",
            "token",
            "token_sha256",
            "site",
            "location",
            "type",
            "language",
            "tenant",
          ].includes(key)
        )
          out.push({ field: at(`${p}.${key}`), description: "unknown key" });
      }
      const id = text(`${p}.id`, d.id, "", DEVICE_ID);
      if (id === "" && d.id === undefined)
        out.push({ field: at(`${p}.id`), description: "required" });
      if (seenIds.has(id)) out.push({ field: at(`${p}.id`), description: `${id} listed twice` });
      seenIds.add(id);
      let hash: Buffer | undefined;
      if (typeof d.token_sha256 === "string" && HEX_SHA256.test(d.token_sha256.toLowerCase())) {
        hash = Buffer.from(d.token_sha256.toLowerCase(), "hex");
      } else if (d.token_sha256 !== undefined) {
        out.push({ field: at(`${p}.token_sha256`), description: "64 hex characters" });
      } else if (typeof d.token === "string" && d.token.length >= 16 && d.token.length <= 512) {
        hash = sha256(d.token);
      } else if (d.token !== undefined) {
        // Never echo the token itself.
        out.push({ field: at(`${p}.token`), description: "16–512 characters" });
      } else {
        out.push({ field: at(`${p}`), description: "token_sha256 (or token) is required" });
      }
      if (id === "" || hash === undefined) return;
      devices.set(id, {
        id,
        tenant: text(`${p}.tenant`, d.tenant, tenant, ID_PATTERN),
        tokenSha256: hash,
        site: text(`${p}.site`, d.site, ""),
        location: text(`${p}.location`, d.location, ""),
        type: text(`${p}.type`, d.type, ""),
        language: text(`${p}.language`, d.language, ""),
      });
    });
  }

  const flows = new Map<string, KioskFlow>();
  for (const [name, f] of Object.entries(mapping("flows", section.flows))) {
    const p = `flows.${name}`;
    if (!FLOW_NAME.test(name))
      out.push({ field: at(p), description: "flow names: [A-Za-z0-9._-]" });
    const spec = mapping(p, f);
    for (const key of Object.keys(spec)) {
      if (!["complexity", "priority", "skills", "queue"].includes(key))
        out.push({ field: at(`${p}.${key}`), description: "unknown key" });
    }
    flows.set(name, {
      complexity: int(`${p}.complexity`, spec.complexity, 1, 1, 5),
      priority: int(`${p}.priority`, spec.priority, 0, 0, 100),
      skills: skillList(`${p}.skills`, spec.skills),
      queue: text(`${p}.queue`, spec.queue, "", ID_PATTERN),
    });
  }

  const faults = new Map<string, KioskFaultSpec>();
  const faultNames = FAULT_CODES.map(faultName);
  for (const [name, f] of Object.entries(mapping("faults", section.faults))) {
    const p = `faults.${name}`;
    if (!faultNames.includes(name)) {
      out.push({ field: at(p), description: `unknown fault; one of ${faultNames.join(", ")}` });
    }
    const spec = mapping(p, f);
    for (const key of Object.keys(spec)) {
      if (!["complexity", "priority", "skills"].includes(key))
        out.push({ field: at(`${p}.${key}`), description: "unknown key" });
    }
    faults.set(name, {
      complexity: int(`${p}.complexity`, spec.complexity, DEFAULT_FAULT.complexity, 1, 5),
      priority: int(`${p}.priority`, spec.priority, DEFAULT_FAULT.priority, 0, 100),
      skills: skillList(`${p}.skills`, spec.skills),
    });
  }

  const kindName = text("staff_assisted_kind", section.staff_assisted_kind, "partner");
  const kind = IntermediaryKind[kindName.toUpperCase() as keyof typeof IntermediaryKind] as
    | IntermediaryKind
    | undefined;
  if (kind === undefined || kind === IntermediaryKind.UNSPECIFIED) {
    out.push({
      field: at("staff_assisted_kind"),
      description: "broker, reseller, partner, carer or interpreter",
    });
  }
  const settings: KioskSettings = {
    tenant,
    devices,
    flows,
    faults,
    faultQueue: text("fault_queue", section.fault_queue, "field-service", ID_PATTERN),
    staffAssistedKind: kind ?? IntermediaryKind.PARTNER,
    csatQuestion: text("csat_question", section.csat_question, DEFAULT_CSAT),
    maxOpenRequests: int("max_open_requests", section.max_open_requests, 4, 1, 32),
    heartbeatTimeoutMs: config.kioskHeartbeatTimeoutMs,
    callbackThresholdSeconds: config.callbackThresholdSeconds,
  };
  if (out.length > 0) throw invalidArgument(out);
  return settings;
}

/** The flow's needs: the named flow, else the "default" flow, else complexity 1 and no skills. */
export function flowOf(settings: KioskSettings, name: string): KioskFlow {
  return settings.flows.get(name) ?? settings.flows.get("default") ?? DEFAULT_FLOW;
}

export function faultSpecOf(settings: KioskSettings, code: KioskFaultCode): KioskFaultSpec {
  return settings.faults.get(faultName(code)) ?? DEFAULT_FAULT;
}
