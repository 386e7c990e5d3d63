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
import type { RedisRunner } from "./redis-runner.js";

/** Idempotency keys and contact records over the scripts in contact-scripts.ts. */
export function createRedisContacts(
  runner: RedisRunner,
  base: string,
  options: NormalizedCommonOptions,
): ContactStore {
  return {
    async claimIdempotencyKey(key, contactId, ttlMs) {
      checkId("key", key);
      checkId("contactId", contactId);
      checkPositiveInt("ttlMs", ttlMs);
      const [first, created] = (await runner.script("claimIdempotencyKey", [
        base,
        key,
        contactId,
        String(ttlMs),
      ])) as [string, number];
      return { contactId: first, created: created === 1 };
    },
    async claimSubmit(key, contactId, ttlMs, record) {
      checkId("key", key);
      checkId("contactId", contactId);
      checkPositiveInt("ttlMs", ttlMs);
      const [first, created] = (await runner.script("claimSubmit", [
        base,
        key,
        contactId,
        String(ttlMs),
        Buffer.from(record.buffer, record.byteOffset, record.byteLength),
        String(options.contactRecordRetentionMs),
      ])) as [string, number];
      return { contactId: first, created: created === 1 };
    },
    async putRecord(contactId, record, sequence) {
      checkId("contactId", contactId);
      checkRecordSequence(sequence);
      const reply = await runner.script("putContactRecord", [
        base,
        contactId,
        String(sequence),
        Buffer.from(record),
        String(options.contactRecordRetentionMs),
      ]);
      return reply === 1;
    },
    async getRecord(contactId) {
      checkId("contactId", contactId);
      const [sequence, record] = await runner.run("contact record get", () =>
        runner.client.hmgetBuffer(`${base}contact-record:${contactId}`, "seq", "record"),
      );
      if (!sequence || !record) return undefined;
      return { record: new Uint8Array(record), sequence: Number(sequence.toString()) };
    },
    async appendMessage(contactId, messageId, message) {
      checkId("contactId", contactId);
      checkMessage(messageId, message);
      const reply = await runner.script("appendMessage", [
        base,
        contactId,
        messageId,
        Buffer.from(message),
        String(options.contactRecordRetentionMs),
        String(options.transcriptLimit),
      ]);
      return reply === 1;
    },
    async listMessages(contactId) {
      checkId("contactId", contactId);
      const items = await runner.run("transcript list", () =>
        runner.client.lrangeBuffer(`${base}transcript:${contactId}`, 0, -1),
      );
      return items.map((b) => new Uint8Array(b));
    },
  };
}

/** Channel adapters' small shared facts: one string key per namespace/key with a TTL. */
export function createRedisChannelState(runner: RedisRunner, base: string): ChannelStateStore {
  const keyOf = (namespace: string, key: string) => `${base}chan:${namespace}:${key}`;
  return {
    async get(namespace, key) {
      checkChannelState(namespace, key);
      const value = await runner.run("channel state get", () =>
        runner.client.get(keyOf(namespace, key)),
      );
      return value ?? undefined;
    },
    async put(namespace, key, value, ttlMs) {
      checkChannelState(namespace, key, value);
      checkPositiveInt("ttlMs", ttlMs);
      await runner.run("channel state put", () =>
        runner.client.set(keyOf(namespace, key), value, "PX", ttlMs),
      );
    },
    async claim(namespace, key, value, ttlMs) {
      checkChannelState(namespace, key, value);
      checkPositiveInt("ttlMs", ttlMs);
      const [stored, created] = (await runner.script("claimChannelState", [
        keyOf(namespace, key),
        value,
        String(ttlMs),
      ])) as [string, number];
      return { value: stored, created: created === 1 };
    },
    async delete(namespace, key) {
      checkChannelState(namespace, key);
      const n = await runner.run("channel state delete", () =>
        runner.client.del(keyOf(namespace, key)),
      );
      return n > 0;
    },
  };
}
