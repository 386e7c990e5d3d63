import type { ScriptSpec } from "./redis-runner.js";

/* Contact scripts: compare-and-set writes of the gateway and the router. KEYS[1] is the tenant prefix. */

// ARGV: key, contactId, ttlMs. Returns {contactId, 1} when claimed, {firstContactId, 0} otherwise.
const claimIdempotencyKey = `
local k = KEYS[1] .. 'idem:' .. ARGV[1]
local current = redis.call('GET', k)
if current then return {current, 0} end
redis.call('SET', k, ARGV[2], 'PX', ARGV[3])
return {ARGV[2], 1}
`;

// ARGV: contactId, sequence, record, retentionMs. Returns 1 when stored, 0 when not newer.
const putContactRecord = `
local k = KEYS[1] .. 'contact-record:' .. ARGV[1]
local current = redis.call('HGET', k, 'seq')
if current and tonumber(current) >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', k, 'seq', ARGV[2], 'record', ARGV[3])
redis.call('PEXPIRE', k, ARGV[4])
return 1
`;

export const contactScripts: Readonly<Record<string, ScriptSpec>> = {
  claimIdempotencyKey: { lua: claimIdempotencyKey, numberOfKeys: 1 },
  putContactRecord: { lua: putContactRecord, numberOfKeys: 1 },
};
