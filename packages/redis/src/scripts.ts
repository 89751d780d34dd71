import { script } from './connection.js';

/**
 * KEYS[1] token hash; ARGV expected generation, token, receivedAt, refused ("1" or "0").
 * Writes generation + 1 if the stored generation (0 when none) is the expected one.
 * Returns the new generation, or 0 when another writer got there first.
 */
export const COMPARE_AND_SET = script(`
local current = tonumber(redis.call('HGET', KEYS[1], 'generation') or '0')
if current ~= tonumber(ARGV[1]) then return 0 end
local generation = current + 1
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'token', ARGV[2], 'generation', generation, 'receivedAt', ARGV[3])
if ARGV[4] == '1' then redis.call('HSET', KEYS[1], 'refused', '1') end
return generation
`);

/** KEYS[1] token hash; ARGV expected generation or "". Returns 1 when deleted. */
export const DELETE = script(`
if ARGV[1] ~= '' then
  local current = redis.call('HGET', KEYS[1], 'generation')
  if not current or tonumber(current) ~= tonumber(ARGV[1]) then return 0 end
end
return redis.call('DEL', KEYS[1])
`);

/** KEYS[1] lock; ARGV holder id. Compare-and-delete: only the holder's own lock goes. */
export const RELEASE = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/**
 * A sliding log per rule, all rules at once (a place in every one, or in none), on Redis's own
 * clock so machines whose clocks disagree still share one window.
 * KEYS[1] pause key, KEYS[2..] rule sorted sets; ARGV limit and windowMs per rule, then a
 * unique member id. Returns {1, member} when admitted (the member finds the places again in
 * FINISH), else {0, waitMs, blocked rule positions...} (positions from 0; none when paused).
 */
export const TAKE = script(`
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local paused = redis.call('PTTL', KEYS[1])
if paused > 0 then return {0, paused} end
local result = {0, 0}
for i = 2, #KEYS do
  local limit = tonumber(ARGV[(i - 2) * 2 + 1])
  local window = tonumber(ARGV[(i - 2) * 2 + 2])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  local count = redis.call('ZCARD', KEYS[i])
  if count >= limit then
    local oldest = redis.call('ZRANGE', KEYS[i], count - limit, count - limit, 'WITHSCORES')
    local wait = tonumber(oldest[2]) + window - now
    if wait > result[2] then result[2] = wait end
    result[#result + 1] = i - 2
  end
end
if #result > 2 then
  if result[2] < 1 then result[2] = 1 end
  return result
end
local member = ARGV[#ARGV] .. ':' .. now
for i = 2, #KEYS do
  local window = tonumber(ARGV[(i - 2) * 2 + 2])
  redis.call('ZADD', KEYS[i], now, member)
  redis.call('PEXPIRE', KEYS[i], window)
end
return {1, member}
`);

/**
 * The request that took a place is over: its places count from now (Redis's clock), where they
 * are still counted at all (XX: a place that left its window is not brought back).
 * KEYS[1..] rule sorted sets; ARGV windowMs per rule, then the member TAKE returned.
 */
export const FINISH = script(`
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local member = ARGV[#ARGV]
for i = 1, #KEYS do
  if redis.call('ZADD', KEYS[i], 'XX', 'CH', now, member) == 1 then
    redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[i]))
  end
end
return 1
`);

/** KEYS[1] pause key; ARGV ms. Extends a pause, never shortens one. */
export const PAUSE = script(`
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 1
`);
