import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { type FieldViolation, ID_PATTERN, invalidArgument } from "../../core/index.js";
import {
  Channel,
  type Contact,
  ContactSchema,
  type KioskFault,
  type KioskFaultCode,
  type KioskHelpRequest,
} from "../../proto/index.js";
import {
  faultName,
  faultSpecOf,
  flowOf,
  type KioskDevice,
  type KioskSettings,
  type SkillNeed,
} from "./kiosk-config.js";

/**
 * Kiosk inputs → the normalized Contact (DESIGN §1). The flow the customer was in decides
 * complexity, skills and queue; card/account identifiers identify the customer (a walk-in
 * without one is a customer of its own, so anonymous kiosk visitors never share a history);
 * staff-assisted mode or a carer at the kiosk is an intermediary who is present. The intake
 * validates the rest and names any bad field.
 */
const MAX_METADATA = 32;

export function helpIdempotencyKey(deviceId: string, requestId: string): string {
  return `kiosk:${deviceId}:${requestId}`;
}

/** Request ids end up in idempotency keys and store keys: keep them short and plain. */
export function checkRequestId(requestId: string, field = "request_id"): void {
  if (!ID_PATTERN.test(requestId)) {
    throw invalidArgument([{ field, description: "required: 1–64 of [A-Za-z0-9._-]" }]);
  }
}

function mergeSkills(
  configured: readonly SkillNeed[],
  asked: readonly { skill: string; minProficiency: number }[],
) {
  const bySkill = new Map<string, number>();
  for (const s of [...configured, ...asked]) {
    bySkill.set(s.skill, Math.max(bySkill.get(s.skill) ?? 0, s.minProficiency));
  }
  return [...bySkill].map(([skill, minProficiency]) => ({ skill, minProficiency }));
}

export function helpContact(
  settings: KioskSettings,
  device: KioskDevice,
  helloLanguage: string,
  request: KioskHelpRequest,
  nowMs: number,
): Contact {
  checkRequestId(request.requestId, "help_request.request_id");
  const flow = flowOf(settings, request.flow);
  const violations: FieldViolation[] = [];
  if (request.flow.length > 64)
    violations.push({ field: "help_request.flow", description: "at most 64 characters" });
  if (request.screen.length > 128)
    violations.push({ field: "help_request.screen", description: "at most 128 characters" });
  if (request.staffId.length > 128)
    violations.push({ field: "help_request.staff_id", description: "at most 128 characters" });
  const extra = Object.entries(request.metadata);
  if (extra.length > MAX_METADATA)
    violations.push({
      field: "help_request.metadata",
      description: `at most ${MAX_METADATA} entries`,
    });
  if (violations.length > 0) throw invalidArgument(violations);

  const ids = request.identifiers;
  const hasId =
    ids !== undefined &&
    [ids.kioskCardId, ids.kioskAccountNumber, ids.phone, ids.email].some((v) => v !== "");
  const site = device.site;
  const intermediary =
    request.intermediary ??
    (request.staffAssisted
      ? {
          kind: settings.staffAssistedKind,
          id: request.staffId || `staff@${site || device.id}`,
          present: true,
          displayName: `Staff at ${site || device.id}`,
        }
      : undefined);
  const metadata: Record<string, string> = {};
  for (const [k, v] of extra) metadata[`kiosk.${k}`] = v;
  Object.assign(metadata, {
    "kiosk.kind": "help",
    "kiosk.device_id": device.id,
    "kiosk.request_id": request.requestId,
    ...(site && { "kiosk.site": site }),
    ...(device.location && { "kiosk.location": device.location }),
    ...(device.type && { "kiosk.device_type": device.type }),
    ...(request.flow && { "kiosk.flow": request.flow }),
    ...(request.screen && { "kiosk.screen": request.screen }),
    ...(flow.queue && { "kiosk.queue": flow.queue }),
    ...(intermediary && { "kiosk.assisted": request.staffAssisted ? "staff" : "intermediary" }),
  });
  return create(ContactSchema, {
    channel: Channel.KIOSK,
    idempotencyKey: helpIdempotencyKey(device.id, request.requestId),
    customer: hasId
      ? { identifiers: ids }
      : { id: `kiosk-walk-in:${device.id}:${request.requestId}` },
    requiredSkills: mergeSkills(flow.skills, request.requiredSkills),
    complexity: flow.complexity,
    priority: flow.priority,
    language: request.language || helloLanguage || device.language,
    ...(intermediary && { intermediary }),
    subject: `Kiosk help${request.flow ? `: ${request.flow}` : ""}${site ? ` at ${site}` : ""}`,
    summary: request.summary,
    channelMetadata: metadata,
    createTime: timestampFromMs(nowMs),
    queueId: flow.queue,
  });
}

/** One fault instance's idempotency key: a new one per claim, so a cleared fault reopens. */
export function faultIdempotencyKey(deviceId: string, fault: string, instance: string): string {
  return `kiosk-fault:${deviceId}:${fault}:${instance}`;
}

export function checkFault(fault: KioskFault | { code: KioskFaultCode }, field: string): string {
  const name = faultName(fault.code);
  if (name === "")
    throw invalidArgument([
      { field: `${field}.code`, description: "required: a known fault code" },
    ]);
  if ("detail" in fault && fault.detail.length > 1024) {
    throw invalidArgument([{ field: `${field}.detail`, description: "at most 1024 characters" }]);
  }
  return name;
}

/** A proactive field-service contact for a device fault. The device is the "customer". */
export function faultContact(
  settings: KioskSettings,
  device: KioskDevice,
  fault: KioskFault,
  key: string,
  nowMs: number,
): Contact {
  const name = checkFault(fault, "fault");
  const spec = faultSpecOf(settings, fault.code);
  const where = [device.site, device.location].filter((s) => s !== "").join(", ");
  return create(ContactSchema, {
    channel: Channel.KIOSK,
    idempotencyKey: key,
    customer: { id: `kiosk-device:${device.id}`, displayName: `Kiosk ${device.id}` },
    requiredSkills: spec.skills.map((s) => ({ ...s })),
    complexity: spec.complexity,
    priority: spec.priority,
    subject: `Kiosk fault ${name} on ${device.id}${where ? ` (${where})` : ""}`,
    summary: fault.detail,
    channelMetadata: {
      "kiosk.kind": "fault",
      "kiosk.fault": name,
      "kiosk.device_id": device.id,
      "kiosk.queue": settings.faultQueue,
      ...(device.site && { "kiosk.site": device.site }),
      ...(device.location && { "kiosk.location": device.location }),
      ...(device.type && { "kiosk.device_type": device.type }),
    },
    createTime: timestampFromMs(nowMs),
    queueId: settings.faultQueue,
  });
}
