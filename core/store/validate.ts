import { ErrorCode, type FieldViolation, invalidArgument, SwitchboardError } from "../errors.js";
import { AGENT_STATES, type AgentState } from "./agent-store.js";
import { CHANNELS } from "./channel.js";
import { CONFIG_KINDS, type ConfigKind } from "./config-store.js";
import type { HistoryEntry } from "./history-store.js";
import type { Fence, ReserveInput } from "./reservation-store.js";
import type { NormalizedCommonOptions, StoreCommonOptions } from "./store.js";
import { TOKEN_ROLES, type TokenGrant } from "./token-store.js";

// Checked once, here, for both implementations, so they refuse exactly the same inputs.

// No braces or colons: the tenant becomes a Redis hash tag `{tenant}` that must stay intact.
const TENANT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const maxIdLength = 256;

function fail(field: string, description: string): never {
  throw invalidArgument([{ field, description }]);
}

export function checkTenant(tenantId: string): void {
  if (!TENANT.test(tenantId)) fail("tenantId", "must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}");
}

export function checkId(field: string, value: string): void {
  if (typeof value !== "string" || value === "" || value.length > maxIdLength) {
    fail(field, `must be 1–${maxIdLength} characters`);
  }
}

export function checkPositiveInt(field: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) fail(field, "must be a positive integer");
}

function checkNonNegativeInt(field: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) fail(field, "must be a non-negative integer");
}

export function checkKind(kind: ConfigKind): void {
  if (!CONFIG_KINDS.includes(kind)) fail("kind", `must be one of ${CONFIG_KINDS.join(", ")}`);
}

export function checkExpectedRevision(value: number | undefined): void {
  if (value !== undefined) checkNonNegativeInt("expectedRevision", value);
}

export function checkAgentState(state: AgentState, sinceMs: number): void {
  if (!AGENT_STATES.includes(state)) fail("state", `must be one of ${AGENT_STATES.join(", ")}`);
  checkNonNegativeInt("sinceMs", sinceMs);
}

export function checkFence(fence: Fence): void {
  checkId("fence.partition", fence.partition);
  checkPositiveInt("fence.token", fence.token);
}

export function checkReserveInput(input: ReserveInput): void {
  const violations: FieldViolation[] = [];
  const add = (field: string, description: string): void => {
    violations.push({ field, description });
  };
  for (const field of ["contactId", "agentId", "offerId"] as const) {
    const value = input[field];
    if (typeof value !== "string" || value === "" || value.length > maxIdLength) {
      add(field, `must be 1–${maxIdLength} characters`);
    }
  }
  if (!CHANNELS.includes(input.channel)) add("channel", `must be one of ${CHANNELS.join(", ")}`);
  if (!Number.isSafeInteger(input.weightMilli) || input.weightMilli <= 0) {
    add("weightMilli", "must be a positive integer (thousandths)");
  }
  if (!Number.isSafeInteger(input.capacityMilli) || input.capacityMilli <= 0) {
    add("capacityMilli", "must be a positive integer (thousandths)");
  }
  if (!Number.isSafeInteger(input.expiresAtMs) || input.expiresAtMs < 0) {
    add("expiresAtMs", "must be a non-negative integer");
  }
  if (violations.length > 0) throw invalidArgument(violations);
  checkFence(input.fence);
}

export function checkHistoryEntry(customerId: string, entry: HistoryEntry): void {
  checkId("customerId", customerId);
  for (const field of ["contactId", "queueId", "agentId", "outcome"] as const) {
    checkId(`entry.${field}`, entry[field]);
  }
  if (!CHANNELS.includes(entry.channel)) fail("entry.channel", "unknown channel");
  checkNonNegativeInt("entry.completedAtMs", entry.completedAtMs);
  if (
    entry.csat !== undefined &&
    !(Number.isInteger(entry.csat) && entry.csat >= 1 && entry.csat <= 5)
  ) {
    fail("entry.csat", "must be an integer 1–5");
  }
}

export function checkSnapshotSeq(seq: number): void {
  checkNonNegativeInt("snapshot.seq", seq);
}

/** Defaults, then validation, in one place (the nats.js options pattern). */
export function normalizeCommonOptions(options: StoreCommonOptions): NormalizedCommonOptions {
  const normalized: NormalizedCommonOptions = {
    finishedOfferRetentionMs: options.finishedOfferRetentionMs ?? 86_400_000,
    historyLimit: options.historyLimit ?? 20,
    lastAgentsLimit: options.lastAgentsLimit ?? 10,
    contactRecordRetentionMs: options.contactRecordRetentionMs ?? 7 * 86_400_000,
    transcriptLimit: options.transcriptLimit ?? 1000,
  };
  checkPositiveInt("finishedOfferRetentionMs", normalized.finishedOfferRetentionMs);
  checkPositiveInt("historyLimit", normalized.historyLimit);
  checkPositiveInt("lastAgentsLimit", normalized.lastAgentsLimit);
  checkPositiveInt("contactRecordRetentionMs", normalized.contactRecordRetentionMs);
  checkPositiveInt("transcriptLimit", normalized.transcriptLimit);
  return normalized;
}

/** An offerId names one reservation; reusing it for another is a caller bug, not a refusal. */
export function offerConflict(offerId: string): SwitchboardError {
  return new SwitchboardError(
    ErrorCode.AlreadyExists,
    `offer ${offerId} already reserves a different contact, agent, channel or weight`,
  );
}

/** Only the known fields, in a fixed order, so stray properties are never stored. */
export function storedHistoryEntry(entry: HistoryEntry): HistoryEntry {
  return {
    contactId: entry.contactId,
    channel: entry.channel,
    queueId: entry.queueId,
    agentId: entry.agentId,
    outcome: entry.outcome,
    completedAtMs: entry.completedAtMs,
    ...(entry.csat === undefined ? {} : { csat: entry.csat }),
  };
}

export function checkRecordSequence(sequence: number): void {
  checkNonNegativeInt("sequence", sequence);
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function checkTokenHash(hash: string): void {
  if (typeof hash !== "string" || !SHA256_HEX.test(hash)) {
    fail("tokenSha256Hex", "must be 64 lower-case hex characters (a SHA-256)");
  }
}

/** Both fields of a grant checked together, so a bad tokens file names every problem. */
export function checkGrant(grant: TokenGrant): void {
  const violations: FieldViolation[] = [];
  if (typeof grant.tenant !== "string" || !TENANT.test(grant.tenant)) {
    violations.push({
      field: "grant.tenant",
      description: "must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}",
    });
  }
  if (!TOKEN_ROLES.includes(grant.role)) {
    violations.push({
      field: "grant.role",
      description: `must be one of ${TOKEN_ROLES.join(", ")}`,
    });
  }
  const agentId = grant.agentId;
  if (grant.role === "agent") {
    if (typeof agentId !== "string" || agentId === "" || agentId.length > maxIdLength) {
      violations.push({
        field: "grant.agentId",
        description: `required for role agent, 1–${maxIdLength} characters`,
      });
    }
  } else if (agentId !== undefined) {
    violations.push({ field: "grant.agentId", description: "only agent tokens name an agent" });
  }
  if (violations.length > 0) throw invalidArgument(violations);
}

/** Only the known fields, so stray properties are never stored. */
export function storedGrant(grant: TokenGrant): TokenGrant {
  return grant.agentId === undefined
    ? { tenant: grant.tenant, role: grant.role }
    : { tenant: grant.tenant, role: grant.role, agentId: grant.agentId };
}

const NAMESPACE = /^[a-z0-9-]{1,64}$/;
const maxChannelValueBytes = 64 * 1024;

export function checkChannelState(namespace: string, key: string, value?: string): void {
  if (!NAMESPACE.test(namespace)) fail("namespace", "must match [a-z0-9-]{1,64}");
  checkId("key", key);
  if (value !== undefined && (typeof value !== "string" || value.length > maxChannelValueBytes)) {
    fail("value", `must be a string of at most ${maxChannelValueBytes} characters`);
  }
}

const maxMessageBytes = 1024 * 1024;

export function checkMessage(messageId: string, message: Uint8Array): void {
  checkId("messageId", messageId);
  if (!(message instanceof Uint8Array) || message.length > maxMessageBytes) {
    fail("message", `must be at most ${maxMessageBytes} bytes`);
  }
}
