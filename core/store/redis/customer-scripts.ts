import type { ScriptSpec } from "./redis-runner.js";

/*
 * Identity and history scripts; together because a merge moves history. KEYS[1] is the tenant
 * prefix (see reservation-scripts.ts). ARGV[1] = customer id (or candidate for a new one),
 * ARGV[2] = historyLimit, ARGV[3] = lastAgentsLimit. Twin: memory/memory-customers.ts.
 */
const prelude = `
local B = KEYS[1]
local history_limit = tonumber(ARGV[2])
local agents_limit = tonumber(ARGV[3])

-- Merged ids redirect to their survivor; chains end because a survivor is always older.
local function root(id)
  local next_id = redis.call('GET', B .. 'customer-alias:' .. id)
  while next_id do
    id = next_id
    next_id = redis.call('GET', B .. 'customer-alias:' .. id)
  end
  return id
end

-- Keeps the newest contacts and agents; ZRANGE from the low end names the oldest.
local function trim(c)
  local hk, hd = B .. 'history:' .. c, B .. 'history-data:' .. c
  local excess = redis.call('ZCARD', hk) - history_limit
  if excess > 0 then
    for _, contact in ipairs(redis.call('ZRANGE', hk, 0, excess - 1)) do
      redis.call('HDEL', hd, contact)
    end
    redis.call('ZREMRANGEBYRANK', hk, 0, excess - 1)
  end
  local ak = B .. 'last-agents:' .. c
  excess = redis.call('ZCARD', ak) - agents_limit
  if excess > 0 then redis.call('ZREMRANGEBYRANK', ak, 0, excess - 1) end
end

-- One consistent read of a (root) customer's history: {entry JSON...}, {agentId, ms, ...}, case JSON or ''.
local function history_of(c)
  local contacts = redis.call('ZREVRANGE', B .. 'history:' .. c, 0, -1)
  local entries = {}
  if #contacts > 0 then entries = redis.call('HMGET', B .. 'history-data:' .. c, unpack(contacts)) end
  local agents = redis.call('ZREVRANGE', B .. 'last-agents:' .. c, 0, -1, 'WITHSCORES')
  return {entries, agents, redis.call('GET', B .. 'open-case:' .. c) or ''}
end
`;

// ARGV[4..]: identifier keys "kind:value". Leaves winner, created (0|1) and merged (ids).
const resolveBody = `
-- Byte order, whatever the server's locale (Lua's < on strings uses strcoll).
local function before(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

local found, seen = {}, {}
for i = 4, #ARGV do
  local c = redis.call('GET', B .. 'identifier:' .. ARGV[i])
  if c then
    c = root(c)
    if not seen[c] then seen[c] = true; table.insert(found, c) end
  end
end
table.sort(found, before)
local winner = found[1] or ARGV[1]
local winner_ids = B .. 'customer-identifiers:' .. winner

local function merge(loser)
  redis.call('SET', B .. 'customer-alias:' .. loser, winner)
  local loser_ids = B .. 'customer-identifiers:' .. loser
  for _, key in ipairs(redis.call('SMEMBERS', loser_ids)) do
    redis.call('SET', B .. 'identifier:' .. key, winner)
    redis.call('SADD', winner_ids, key)
  end
  redis.call('DEL', loser_ids)
  -- The survivor's own entry wins when both recorded the same contact.
  local lh, lhd = B .. 'history:' .. loser, B .. 'history-data:' .. loser
  local wh, whd = B .. 'history:' .. winner, B .. 'history-data:' .. winner
  local scored = redis.call('ZRANGE', lh, 0, -1, 'WITHSCORES')
  for i = 1, #scored, 2 do
    local contact = scored[i]
    if redis.call('HSETNX', whd, contact, redis.call('HGET', lhd, contact)) == 1 then
      redis.call('ZADD', wh, scored[i + 1], contact)
    end
  end
  redis.call('DEL', lh, lhd)
  local la, wa = B .. 'last-agents:' .. loser, B .. 'last-agents:' .. winner
  local agents = redis.call('ZRANGE', la, 0, -1, 'WITHSCORES')
  for i = 1, #agents, 2 do redis.call('ZADD', wa, 'GT', agents[i + 1], agents[i]) end
  redis.call('DEL', la)
  local lc, wc = B .. 'open-case:' .. loser, B .. 'open-case:' .. winner
  if redis.call('EXISTS', lc) == 1 then
    if redis.call('EXISTS', wc) == 0 then redis.call('RENAME', lc, wc) else redis.call('DEL', lc) end
  end
end

local merged = {}
for i = 2, #found do
  merge(found[i])
  table.insert(merged, found[i])
end
if #merged > 0 then trim(winner) end
for i = 4, #ARGV do
  redis.call('SET', B .. 'identifier:' .. ARGV[i], winner)
  redis.call('SADD', winner_ids, ARGV[i])
end
local created = 0
if #found == 0 then created = 1 end
`;

// Returns {customerId, created 0|1, mergedIds...}.
const resolve = `${prelude}${resolveBody}
return {winner, created, unpack(merged)}
`;

// Returns {customerId, created 0|1, {mergedIds...}, {entry JSON...}, {agentId, ms, ...}, case JSON or ''}.
const resolveWithHistory = `${prelude}${resolveBody}
local h = history_of(winner)
return {winner, created, merged, h[1], h[2], h[3]}
`;

// ARGV[4..9]: contactId, completedAtMs, entry JSON, agentId, case mode (keep|set|clear), case JSON.
const recordCompletion = `${prelude}
local c = root(ARGV[1])
redis.call('ZADD', B .. 'history:' .. c, ARGV[5], ARGV[4])
redis.call('HSET', B .. 'history-data:' .. c, ARGV[4], ARGV[6])
redis.call('ZADD', B .. 'last-agents:' .. c, 'GT', ARGV[5], ARGV[7])
if ARGV[8] == 'set' then redis.call('SET', B .. 'open-case:' .. c, ARGV[9])
elseif ARGV[8] == 'clear' then redis.call('DEL', B .. 'open-case:' .. c) end
trim(c)
return 1
`;

// Returns {customerId, {entry JSON...}, {agentId, ms, ...}, case JSON or ''}.
const getHistory = `${prelude}
local c = root(ARGV[1])
local h = history_of(c)
return {c, h[1], h[2], h[3]}
`;

export const customerScripts: Readonly<Record<string, ScriptSpec>> = {
  resolve: { lua: resolve, numberOfKeys: 1 },
  resolveWithHistory: { lua: resolveWithHistory, numberOfKeys: 1 },
  recordCompletion: { lua: recordCompletion, numberOfKeys: 1 },
  getHistory: { lua: getHistory, numberOfKeys: 1 },
};
