import type { Clock } from "../../clock.js";
import type { ChannelStateStore } from "../channel-state-store.js";
import type { ContactStore } from "../contact-store.js";
import type { NormalizedCommonOptions } from "../store.js";
import {
  checkChannelState,
  checkId,
  checkMessage,
  checkPositiveInt,
  checkRecordSequence,
} from "../validate.js";
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
  const claim = (key: string, contactId: string, ttlMs: number) => {
    const nowMs = clock.nowMs();
    sweep(state.idempotencyKeys, nowMs);
    const current = state.idempotencyKeys.get(key);
    if (current !== undefined && current.expiresAtMs > nowMs) {
      return { contactId: current.contactId, created: false };
    }
    state.idempotencyKeys.delete(key);
    state.idempotencyKeys.set(key, { contactId, expiresAtMs: nowMs + ttlMs });
    return { contactId, created: true };
  };
  const put = (contactId: string, record: Uint8Array, sequence: number): boolean => {
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
  };
  return {
    async claimIdempotencyKey(key, contactId, ttlMs) {
      checkId("key", key);
      checkId("contactId", contactId);
      checkPositiveInt("ttlMs", ttlMs);
      guard();
      return claim(key, contactId, ttlMs);
    },
    async claimSubmit(key, contactId, ttlMs, record) {
      checkId("key", key);
      checkId("contactId", contactId);
      checkPositiveInt("ttlMs", ttlMs);
      guard();
      const claimed = claim(key, contactId, ttlMs);
      if (claimed.created) put(contactId, record, 0);
      return claimed;
    },
    async putRecord(contactId, record, sequence) {
      checkId("contactId", contactId);
      checkRecordSequence(sequence);
      guard();
      return put(contactId, record, sequence);
    },
    async getRecord(contactId) {
      checkId("contactId", contactId);
      guard();
      const current = state.contactRecords.get(contactId);
      if (current === undefined || current.expiresAtMs <= clock.nowMs()) return undefined;
      return { record: Uint8Array.from(current.record), sequence: current.sequence };
    },
    async appendMessage(contactId, messageId, message) {
      checkId("contactId", contactId);
      checkMessage(messageId, message);
      guard();
      const nowMs = clock.nowMs();
      sweep(state.transcripts, nowMs);
      let transcript = state.transcripts.get(contactId);
      if (transcript === undefined || transcript.expiresAtMs <= nowMs) {
        transcript = { ids: new Set(), messages: [], expiresAtMs: 0 };
      }
      state.transcripts.delete(contactId);
      transcript.expiresAtMs = nowMs + options.contactRecordRetentionMs;
      state.transcripts.set(contactId, transcript);
      if (transcript.ids.has(messageId)) return false;
      transcript.ids.add(messageId);
      transcript.messages.push(Uint8Array.from(message));
      if (transcript.messages.length > options.transcriptLimit) transcript.messages.shift();
      return true;
    },
    async listMessages(contactId) {
      checkId("contactId", contactId);
      guard();
      const transcript = state.transcripts.get(contactId);
      if (transcript === undefined || transcript.expiresAtMs <= clock.nowMs()) return [];
      return transcript.messages.map((m) => Uint8Array.from(m));
    },
  };
}

/** The in-memory twin of redis/redis-contacts.ts's channel state. */
export function createMemoryChannelState(
  state: TenantState,
  clock: Clock,
  guard: () => void,
): ChannelStateStore {
  const keyOf = (namespace: string, key: string) => `${namespace}\u0000${key}`;
  const live = (namespace: string, key: string) => {
    const entry = state.channelState.get(keyOf(namespace, key));
    return entry !== undefined && entry.expiresAtMs > clock.nowMs() ? entry.value : undefined;
  };
  const set = (namespace: string, key: string, value: string, ttlMs: number) => {
    const k = keyOf(namespace, key);
    const nowMs = clock.nowMs();
    sweep(state.channelState, nowMs);
    state.channelState.delete(k);
    state.channelState.set(k, { value, expiresAtMs: nowMs + ttlMs });
  };
  return {
    async get(namespace, key) {
      checkChannelState(namespace, key);
      guard();
      return live(namespace, key);
    },
    async put(namespace, key, value, ttlMs) {
      checkChannelState(namespace, key, value);
      checkPositiveInt("ttlMs", ttlMs);
      guard();
      set(namespace, key, value, ttlMs);
    },
    async claim(namespace, key, value, ttlMs) {
      checkChannelState(namespace, key, value);
      checkPositiveInt("ttlMs", ttlMs);
      guard();
      const current = live(namespace, key);
      if (current !== undefined) return { value: current, created: false };
      set(namespace, key, value, ttlMs);
      return { value, created: true };
    },
    async delete(namespace, key) {
      checkChannelState(namespace, key);
      guard();
      const existed = live(namespace, key) !== undefined;
      state.channelState.delete(keyOf(namespace, key));
      return existed;
    },
  };
}
