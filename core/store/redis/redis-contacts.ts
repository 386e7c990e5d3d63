import type { ContactStore } from "../contact-store.js";
import type { NormalizedCommonOptions } from "../store.js";
import { checkId, checkPositiveInt, checkRecordSequence } from "../validate.js";
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
  };
}
