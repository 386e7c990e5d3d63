import type { Clock } from "../../clock.js";
import type { ContactStore } from "../contact-store.js";
import type { NormalizedCommonOptions } from "../store.js";
import { checkId, checkPositiveInt, checkRecordSequence } from "../validate.js";
import type { TenantState } from "./tenant-state.js";

/**
 * Drops expired entries from the front of an insertion-ordered map. Stops at the first live
 * one: entries behind it may be expired too (TTLs differ), but reads check expiry anyway, so
 * this only bounds memory, it never decides an answer.
 */
function sweep<V extends { expiresAtMs: number }>(map: Map<string, V>, nowMs: number): void {
  for (const [key, value] of map) {
    if (value.expiresAtMs > nowMs) return;
    map.delete(key);
  }
}

/** The in-memory twin of redis/redis-contacts.ts. */
export function createMemoryContacts(
  state: TenantState,
  clock: Clock,
  options: NormalizedCommonOptions,
  guard: () => void,
): ContactStore {
  return {
    async claimIdempotencyKey(key, contactId, ttlMs) {
      checkId("key", key);
      checkId("contactId", contactId);
      checkPositiveInt("ttlMs", ttlMs);
      guard();
      const nowMs = clock.nowMs();
      sweep(state.idempotencyKeys, nowMs);
      const current = state.idempotencyKeys.get(key);
      if (current !== undefined && current.expiresAtMs > nowMs) {
        return { contactId: current.contactId, created: false };
      }
      state.idempotencyKeys.delete(key);
      state.idempotencyKeys.set(key, { contactId, expiresAtMs: nowMs + ttlMs });
      return { contactId, created: true };
    },
    async putRecord(contactId, record, sequence) {
      checkId("contactId", contactId);
      checkRecordSequence(sequence);
      guard();
      const nowMs = clock.nowMs();
      sweep(state.contactRecords, nowMs);
      const current = state.contactRecords.get(contactId);
      if (current !== undefined && current.expiresAtMs > nowMs && current.sequence >= sequence) {
        return false;
      }
      state.contactRecords.delete(contactId);
      state.contactRecords.set(contactId, {
        record: Uint8Array.from(record),
        sequence,
        expiresAtMs: nowMs + options.contactRecordRetentionMs,
      });
      return true;
    },
    async getRecord(contactId) {
      checkId("contactId", contactId);
      guard();
      const current = state.contactRecords.get(contactId);
      if (current === undefined || current.expiresAtMs <= clock.nowMs()) return undefined;
      return { record: Uint8Array.from(current.record), sequence: current.sequence };
    },
  };
}
