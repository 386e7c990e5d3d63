import type { ScriptSpec } from "./redis-runner.js";

/*
 * The reservation scripts. Each runs atomically in Redis, which is the whole guarantee: no
 * contact with two live reservations, no agent over capacity, no commit without the live lease.
 * KEYS[1] is the tenant's key prefix `<prefix>{<tenant>}:`; every key is built from it, so all
 * of a tenant's keys share one hash slot (the `{tenant}` tag) and the scripts stay valid on a
 * cluster. ARGV[1] = now (ms, the router's clock, which also set expiresAtMs), ARGV[2] =
 * retention of finished offers (ms). Weights are integer thousandths: no float drift.
 * memory/memory-reservations.ts is the twin of this file; keep the order of checks the same.
 */
const prelude = `
local B = KEYS[1]
local now = tonumber(ARGV[1])
local retention = ARGV[2]

-- Only the token of the partition's live lease counts: a router whose lease expired or was
-- taken over (a new holder always has a larger token) can no longer commit anything.
local function fence_is_live(partition, token)
  return redis.call('HGET', B .. 'lease:' .. partition, 'token') == token
end

local function offer_key(id) return B .. 'offer:' .. id end

local function load_offer(id)
  local f = redis.call('HMGET', offer_key(id),
    'contact', 'agent', 'channel', 'weight', 'expires', 'version', 'state')
  if not f[1] then return nil end
  return { contact = f[1], agent = f[2], channel = f[3], weight = tonumber(f[4]),
    expires = tonumber(f[5]), version = tonumber(f[6]), state = f[7] }
end

-- Gives back what a RESERVED or CONFIRMED offer holds; the finished record stays for a while
-- so that retries of the same call find it and answer the same.
local function finish(id, o, to)
  local load = B .. 'load:' .. o.agent
  redis.call('HINCRBY', load, o.channel, -o.weight)
  redis.call('HINCRBY', load, 'total', -o.weight)
  redis.call('SREM', B .. 'agent-offers:' .. o.agent, id)
  redis.call('ZREM', B .. 'agent-reserved:' .. o.agent, id)
  redis.call('SREM', B .. 'active', id)
  redis.call('HSET', offer_key(id), 'state', to)
  redis.call('PEXPIRE', offer_key(id), retention)
  local contact_key = B .. 'contact:' .. o.contact
  if redis.call('GET', contact_key) == id then redis.call('PEXPIRE', contact_key, retention) end
  o.state = to
end

-- A RESERVED offer past its expiry holds nothing any more; release it on first touch.
local function expire_if_due(id)
  local o = load_offer(id)
  if o and o.state == 'RESERVED' and o.expires <= now then finish(id, o, 'RELEASED') end
  return o
end

-- agent-reserved:<agent> holds the agent's RESERVED offers scored by expiry, so that before a
-- reservation only the due ones are visited and released, not every offer the agent holds (a
-- CONFIRMED one never expires: an agent with 50 open chats cost 50 reads per reservation).
local function release_due(agent)
  local key = B .. 'agent-reserved:' .. agent
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', key, '-inf', now)) do
    expire_if_due(id)
    -- Released just now, or no longer RESERVED (confirmed, finished): nothing left to expire.
    redis.call('ZREM', key, id)
  end
end

-- RESERVED → CONFIRMED: accepted, it no longer expires.
local function mark_confirmed(id, o)
  redis.call('HSET', offer_key(id), 'state', 'CONFIRMED')
  redis.call('ZREM', B .. 'agent-reserved:' .. o.agent, id)
end
`;

// ARGV[3..11]: contactId, agentId, offerId, channel, weightMilli, capacityMilli, expiresAtMs,
// partition, token. Returns {'OK', version} or {refusal}.
const reserve = `${prelude}
local contact, agent, offer, channel = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local weight, capacity = tonumber(ARGV[7]), tonumber(ARGV[8])

-- STALE_TOKEN: the caller is not (any more) the partition's lease holder.
if not fence_is_live(ARGV[10], ARGV[11]) then return {'STALE_TOKEN'} end

-- A retry of a reservation that already happened answers as the first call did.
local existing = load_offer(offer)
if existing then
  if existing.contact ~= contact or existing.agent ~= agent or existing.channel ~= channel
    or existing.weight ~= weight then return {'OFFER_CONFLICT'} end
  return {'OK', existing.version}
end

release_due(agent)

-- CONTACT_RESERVED: the contact already has an unexpired offer or is connected to an agent.
local current_id = redis.call('GET', B .. 'contact:' .. contact)
if current_id then
  local current = expire_if_due(current_id)
  if current and (current.state == 'RESERVED' or current.state == 'CONFIRMED') then
    return {'CONTACT_RESERVED'}
  end
end

-- AGENT_FULL: the weighted load would pass the agent's capacity.
local load = B .. 'load:' .. agent
if tonumber(redis.call('HGET', load, 'total') or '0') + weight > capacity then
  return {'AGENT_FULL'}
end
-- AGENT_FULL: one voice call at a time, whatever capacity says.
if channel == 'VOICE' and tonumber(redis.call('HGET', load, 'VOICE') or '0') > 0 then
  return {'AGENT_FULL'}
end

local version = redis.call('INCR', B .. 'reservation-seq')
redis.call('HSET', offer_key(offer), 'contact', contact, 'agent', agent, 'channel', channel,
  'weight', ARGV[7], 'expires', ARGV[9], 'version', version, 'state', 'RESERVED')
redis.call('SET', B .. 'contact:' .. contact, offer)
redis.call('HINCRBY', load, channel, weight)
redis.call('HINCRBY', load, 'total', weight)
redis.call('SADD', B .. 'agent-offers:' .. agent, offer)
redis.call('ZADD', B .. 'agent-reserved:' .. agent, ARGV[9], offer)
redis.call('SADD', B .. 'active', offer)
return {'OK', version}
`;

// ARGV[3..5]: offerId, partition, token.
const release = `${prelude}
if not fence_is_live(ARGV[4], ARGV[5]) then return 'STALE_TOKEN' end
local o = expire_if_due(ARGV[3])
if not o then return 'NOT_FOUND' end
if o.state == 'RESERVED' then finish(ARGV[3], o, 'RELEASED')
elseif o.state ~= 'RELEASED' then return 'ALREADY_CONFIRMED' end
return 'OK'
`;

// ARGV[3..5]: offerId, partition, token.
const confirm = `${prelude}
if not fence_is_live(ARGV[4], ARGV[5]) then return 'STALE_TOKEN' end
local o = expire_if_due(ARGV[3])
if not o then return 'NOT_FOUND' end
-- Too late: rejected, released, or expired (just now, by expire_if_due).
if o.state == 'RELEASED' then return 'RELEASED' end
if o.state == 'RESERVED' then mark_confirmed(ARGV[3], o) end
return 'OK'
`;

// ARGV[3..5]: contactId, partition, token.
const complete = `${prelude}
if not fence_is_live(ARGV[4], ARGV[5]) then return 'STALE_TOKEN' end
local id = redis.call('GET', B .. 'contact:' .. ARGV[3])
if not id then return 'NOT_FOUND' end
local o = expire_if_due(id)
if not o then return 'NOT_FOUND' end
if o.state == 'CONFIRMED' then finish(id, o, 'COMPLETED')
elseif o.state ~= 'COMPLETED' then return 'NOT_CONFIRMED' end
return 'OK'
`;

// One batch of writes under one fence check (see ReservationStore.apply). ARGV[3..4]:
// partition, token; then the ops, each a code and its arguments:
//   R contact agent offer channel weight capacity expires   (reserve)
//   L contact agent offer channel weight capacity expires   (confirmLive)
//   X offer (release)   C offer (confirm)   P contact (complete)
// Returns one reply per op: {'OK', version} / {'OK'} / {refusal}. The same checks, in the same
// order, as the single scripts above.
const batch = `${prelude}
if not fence_is_live(ARGV[3], ARGV[4]) then return {'STALE_TOKEN'} end

local function hold(offer, contact, agent, channel, weight, expires, state, version)
  local load = B .. 'load:' .. agent
  redis.call('HSET', offer_key(offer), 'contact', contact, 'agent', agent, 'channel', channel,
    'weight', weight, 'expires', expires, 'version', version, 'state', state)
  redis.call('PERSIST', offer_key(offer))
  redis.call('SET', B .. 'contact:' .. contact, offer)
  redis.call('HINCRBY', load, channel, weight)
  redis.call('HINCRBY', load, 'total', weight)
  redis.call('SADD', B .. 'agent-offers:' .. agent, offer)
  if state == 'RESERVED' then redis.call('ZADD', B .. 'agent-reserved:' .. agent, expires, offer) end
  redis.call('SADD', B .. 'active', offer)
end

-- CONTACT_RESERVED / AGENT_FULL, as in the reserve script; nil when the offer may be held.
local function refusal(offer, contact, agent, channel, weight, capacity)
  release_due(agent)
  local current_id = redis.call('GET', B .. 'contact:' .. contact)
  if current_id and current_id ~= offer then
    local current = expire_if_due(current_id)
    if current and (current.state == 'RESERVED' or current.state == 'CONFIRMED') then
      return 'CONTACT_RESERVED'
    end
  end
  local load = B .. 'load:' .. agent
  if tonumber(redis.call('HGET', load, 'total') or '0') + weight > capacity then
    return 'AGENT_FULL'
  end
  if channel == 'VOICE' and tonumber(redis.call('HGET', load, 'VOICE') or '0') > 0 then
    return 'AGENT_FULL'
  end
  return nil
end

-- The third reply field says whether this call created the reservation (1) or found it (0).
local function reserve(contact, agent, offer, channel, weight, capacity, expires)
  local existing = load_offer(offer)
  if existing then
    if existing.contact ~= contact or existing.agent ~= agent or existing.channel ~= channel
      or existing.weight ~= weight then return {'OFFER_CONFLICT'} end
    return {'OK', existing.version, 0}
  end
  local why = refusal(offer, contact, agent, channel, weight, capacity)
  if why then return {why} end
  local version = redis.call('INCR', B .. 'reservation-seq')
  hold(offer, contact, agent, channel, weight, expires, 'RESERVED', version)
  return {'OK', version, 1}
end

local function confirm_live(contact, agent, offer, channel, weight, capacity, expires)
  local o = load_offer(offer)
  if o and o.state == 'CONFIRMED' then return {'OK'} end
  if o and o.state == 'COMPLETED' then return {'COMPLETED'} end
  if o and o.state == 'RESERVED' then
    mark_confirmed(offer, o)
    return {'OK'}
  end
  -- Let go by the store (expired on touch, or lost): taken again if nothing else holds it.
  local why = refusal(offer, contact, agent, channel, weight, capacity)
  if why then return {why} end
  local version = o and o.version or redis.call('INCR', B .. 'reservation-seq')
  hold(offer, contact, agent, channel, weight, expires, 'CONFIRMED', version)
  return {'OK'}
end

local function release(id)
  local o = expire_if_due(id)
  if not o then return {'NOT_FOUND'} end
  if o.state == 'RESERVED' then finish(id, o, 'RELEASED')
  elseif o.state ~= 'RELEASED' then return {'ALREADY_CONFIRMED'} end
  return {'OK'}
end

local function confirm(id)
  local o = expire_if_due(id)
  if not o then return {'NOT_FOUND'} end
  if o.state == 'RELEASED' then return {'RELEASED'} end
  if o.state == 'RESERVED' then mark_confirmed(id, o) end
  return {'OK'}
end

local function complete(contact)
  local id = redis.call('GET', B .. 'contact:' .. contact)
  if not id then return {'NOT_FOUND'} end
  local o = expire_if_due(id)
  if not o then return {'NOT_FOUND'} end
  if o.state == 'CONFIRMED' then finish(id, o, 'COMPLETED')
  elseif o.state ~= 'COMPLETED' then return {'NOT_CONFIRMED'} end
  return {'OK'}
end

local replies = {}
local i = 5
while i <= #ARGV do
  local code = ARGV[i]
  if code == 'R' or code == 'L' then
    local f = code == 'R' and reserve or confirm_live
    replies[#replies + 1] = f(ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4],
      tonumber(ARGV[i + 5]), tonumber(ARGV[i + 6]), ARGV[i + 7])
    i = i + 8
  elseif code == 'X' then replies[#replies + 1] = release(ARGV[i + 1]); i = i + 2
  elseif code == 'C' then replies[#replies + 1] = confirm(ARGV[i + 1]); i = i + 2
  elseif code == 'P' then replies[#replies + 1] = complete(ARGV[i + 1]); i = i + 2
  else return redis.error_reply('unknown reservation op ' .. tostring(code)) end
end
return replies
`;

export const reservationScripts: Readonly<Record<string, ScriptSpec>> = {
  reserve: { lua: reserve, numberOfKeys: 1 },
  release: { lua: release, numberOfKeys: 1 },
  confirm: { lua: confirm, numberOfKeys: 1 },
  complete: { lua: complete, numberOfKeys: 1 },
  batch: { lua: batch, numberOfKeys: 1 },
};
