import type { ScriptSpec } from "./redis-runner.js";

/* Contact scripts: compare-and-set writes of the gateway and the router. KEYS[1] is the tenant prefix. */

// ARGV[1..3]: key, contactId, ttlMs. Returns {firstContactId, 0} when already claimed, else
// claims the key for contactId and goes on.
const claimBody = `
local k = KEYS[1] .. 'idem:' .. ARGV[1]
local current = redis.call('GET', k)
if current then return {current, 0} end
redis.call('SET', k, ARGV[2], 'PX', ARGV[3])
`;

// ARGV: key, contactId, ttlMs. Returns {contactId, 1} when claimed, {firstContactId, 0} otherwise.
const claimIdempotencyKey = `${claimBody}
return {ARGV[2], 1}
`;

// ARGV: key, contactId, ttlMs, record, retentionMs. claimIdempotencyKey, then (only when claimed)
// putContactRecord at sequence 0: one round trip, and a claim never stands without its record.
const claimSubmit = `${claimBody}
local r = KEYS[1] .. 'contact-record:' .. ARGV[2]
if redis.call('HEXISTS', r, 'seq') == 0 then
  redis.call('HSET', r, 'seq', '0', 'record', ARGV[4])
  redis.call('PEXPIRE', r, ARGV[5])
end
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

// ARGV: contactId, messageId, message, retentionMs, limit. Returns 1 when new, 0 when kept before.
const appendMessage = `
local ids = KEYS[1] .. 'transcript-ids:' .. ARGV[1]
local list = KEYS[1] .. 'transcript:' .. ARGV[1]
local added = redis.call('SADD', ids, ARGV[2])
if added == 1 then
  redis.call('RPUSH', list, ARGV[3])
  redis.call('LTRIM', list, -tonumber(ARGV[5]), -1)
end
redis.call('PEXPIRE', ids, ARGV[4])
redis.call('PEXPIRE', list, ARGV[4])
return added
`;

// ARGV: key, value, ttlMs. Returns {value, 1} when set, {storedValue, 0} otherwise.
const claimChannelState = `
local current = redis.call('GET', KEYS[1])
if current then return {current, 0} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {ARGV[1], 1}
`;

export const contactScripts: Readonly<Record<string, ScriptSpec>> = {
  claimIdempotencyKey: { lua: claimIdempotencyKey, numberOfKeys: 1 },
  claimSubmit: { lua: claimSubmit, numberOfKeys: 1 },
  putContactRecord: { lua: putContactRecord, numberOfKeys: 1 },
  appendMessage: { lua: appendMessage, numberOfKeys: 1 },
  claimChannelState: { lua: claimChannelState, numberOfKeys: 1 },
};
