import type { ScriptSpec } from "./redis-runner.js";

/*
 * Configuration, lease and snapshot scripts: each a compare-and-set that must not interleave
 * with another writer. KEYS[1] is the tenant prefix (see reservation-scripts.ts).
 */

// ARGV: kind, id, data, expectedRevision ('' = unconditional). Returns {revision} or {-1, current}.
// Revisions come from one counter per tenant, so they never repeat across delete/re-create.
const configPut = `
local h = KEYS[1] .. 'config:' .. ARGV[1]
local current = tonumber(redis.call('HGET', h, 'r:' .. ARGV[2]) or '0')
if ARGV[4] ~= '' and tonumber(ARGV[4]) ~= current then return {-1, current} end
local revision = redis.call('INCR', KEYS[1] .. 'config-seq')
redis.call('HSET', h, 'r:' .. ARGV[2], revision, 'd:' .. ARGV[2], ARGV[3])
return {revision}
`;

// ARGV: kind, id, expectedRevision. Returns {1} deleted, {0} absent, {-1, current} mismatch.
const configDelete = `
local h = KEYS[1] .. 'config:' .. ARGV[1]
local current = tonumber(redis.call('HGET', h, 'r:' .. ARGV[2]) or '0')
if ARGV[3] ~= '' and tonumber(ARGV[3]) ~= current then return {-1, current} end
if current == 0 then return {0} end
redis.call('HDEL', h, 'r:' .. ARGV[2], 'd:' .. ARGV[2])
return {1}
`;

// ARGV: partition, holderId, ttlMs. Returns the token, or nil when someone else holds it.
// The token counter lives apart from the lease and never expires: tokens only grow.
const leaseAcquire = `
local k = KEYS[1] .. 'lease:' .. ARGV[1]
local current = redis.call('HMGET', k, 'holder', 'token')
if current[1] then
  if current[1] ~= ARGV[2] then return nil end
  redis.call('PEXPIRE', k, ARGV[3])
  return tonumber(current[2])
end
local token = redis.call('INCR', KEYS[1] .. 'lease-seq:' .. ARGV[1])
redis.call('HSET', k, 'holder', ARGV[2], 'token', token)
redis.call('PEXPIRE', k, ARGV[3])
return token
`;

// ARGV: partition, holderId, token, ttlMs ('' = release). Returns 1 if the lease was ours.
const leaseRenewOrRelease = `
local k = KEYS[1] .. 'lease:' .. ARGV[1]
local current = redis.call('HMGET', k, 'holder', 'token')
if current[1] ~= ARGV[2] or current[2] ~= ARGV[3] then return 0 end
if ARGV[4] == '' then redis.call('DEL', k) else redis.call('PEXPIRE', k, ARGV[4]) end
return 1
`;

// ARGV: partition, seq, data. Returns 0 when a newer snapshot is already stored.
const snapshotPut = `
local k = KEYS[1] .. 'snapshot:' .. ARGV[1]
local current = redis.call('HGET', k, 'seq')
if current and tonumber(current) > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', k, 'seq', ARGV[2], 'data', ARGV[3])
return 1
`;

export const adminScripts: Readonly<Record<string, ScriptSpec>> = {
  configPut: { lua: configPut, numberOfKeys: 1 },
  configDelete: { lua: configDelete, numberOfKeys: 1 },
  leaseAcquire: { lua: leaseAcquire, numberOfKeys: 1 },
  leaseRenewOrRelease: { lua: leaseRenewOrRelease, numberOfKeys: 1 },
  snapshotPut: { lua: snapshotPut, numberOfKeys: 1 },
};
