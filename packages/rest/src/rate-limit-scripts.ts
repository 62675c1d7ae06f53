/**
 * The shared rate-limit state lives in Redis and every decision is one script call, so processes on any
 * host agree without locks. Times come from Redis (`TIME`), never from the callers' clocks.
 *
 * Keys under `<prefix>:rest:`
 *   global             ZSET  requests of the last second (sliding window log)
 *   global-block       STR   present while a global 429 is being waited out (PX = retry_after)
 *   routes             HASH  `METHOD:/route` → bucket hash learned from X-RateLimit-Bucket ('-' = none)
 *   bucket:<hash>:<major>  HASH limit, remaining, reset (ms), window (ms)
 *   discover:<route>:<major>  STR  one request at a time learns an unknown bucket
 *   invalid:<10-min slot>  counter of 401/403/non-shared 429 answers
 *   stats              HASH  counters for metrics
 */

/**
 * ACQUIRE. KEYS: none (all derived from ARGV[1], the key prefix).
 * ARGV: prefix, route, major, globalLimit, exemptFromGlobal (0/1), breakerThreshold, marginMs, token,
 *       discoverTtlMs, exemptFromBuckets (0/1)
 * Returns {code, waitMs, bucketKey, discovering}:
 *   0 go · 1 global block · 2 bucket empty · 3 bucket being discovered · 4 global window full · -1 breaker open
 *
 * The global limit is a sliding window (at most N requests in any 1 s + margin), which stays within
 * Discord's limit whatever its own window alignment; SETTLE moves each entry to its answer's time, so
 * however late a request reached Discord, its slot is not reused within a second of that. A bucket resets `marginMs` after its announced reset,
 * so a request sent just before the reset cannot land in the next window on top of a full one.
 */
export const acquireScript = `
local prefix, route, major = ARGV[1], ARGV[2], ARGV[3]
local globalLimit, exempt = tonumber(ARGV[4]), ARGV[5] == '1'
local breaker, margin, token, discoverTtl = tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8], tonumber(ARGV[9])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

local slot = math.floor(now / 600000)
local invalid = tonumber(redis.call('GET', prefix .. ':invalid:' .. slot) or '0')
  + tonumber(redis.call('GET', prefix .. ':invalid:' .. (slot - 1)) or '0')
if invalid >= breaker then return {-1, 600000 - (now % 600000), '', 0} end

local globalKey = prefix .. ':global'
if not exempt then
  local blocked = redis.call('PTTL', prefix .. ':global-block')
  if blocked > 0 then return {1, blocked, '', 0} end
  redis.call('ZREMRANGEBYSCORE', globalKey, '-inf', now - 1000 - margin)
  if redis.call('ZCARD', globalKey) >= globalLimit then
    local oldest = redis.call('ZRANGE', globalKey, 0, 0, 'WITHSCORES')
    return {4, math.max(1, tonumber(oldest[2]) + 1000 + margin - now), '', 0}
  end
end

local hash = ARGV[10] == '1' and '-' or redis.call('HGET', prefix .. ':routes', route)
local bucketKey = ''
local discovering = 0
if hash ~= '-' then
  local state = false
  if hash then
    bucketKey = prefix .. ':bucket:' .. hash .. ':' .. major
    state = redis.call('HMGET', bucketKey, 'limit', 'remaining', 'reset', 'window')
    if not state[1] then state = false end
  end
  if state then
    local limit, remaining, reset, window = tonumber(state[1]), tonumber(state[2]), tonumber(state[3]), tonumber(state[4])
    if now >= reset + margin then
      remaining = limit
      reset = now + window
    end
    if remaining <= 0 then return {2, reset + margin - now, bucketKey, 0} end
    redis.call('HSET', bucketKey, 'remaining', remaining - 1, 'reset', reset)
  else
    local discoverKey = prefix .. ':discover:' .. route .. ':' .. major
    if not redis.call('SET', discoverKey, token, 'NX', 'PX', discoverTtl) then
      return {3, 20, bucketKey, 0}
    end
    discovering = 1
  end
end

if not exempt then redis.call('ZADD', globalKey, now, token) redis.call('PEXPIRE', globalKey, 2000 + margin) end
return {0, 0, bucketKey, discovering}
`;

/**
 * SETTLE: what Discord answered. ARGV: prefix, route, major, bucketHash ('' when absent), limit, remaining,
 * resetAfterMs, status, scope ('' | user | global | shared), retryAfterMs, token, discovering (0/1),
 * exemptFromBuckets (0/1), exemptFromGlobal (0/1)
 * Returns 1.
 */
export const settleScript = `
local prefix, route, major, hash = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local limit, remaining, resetAfter = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local status, scope, retryAfter = tonumber(ARGV[8]), ARGV[9], tonumber(ARGV[10])
local token, discovering = ARGV[11], ARGV[12] == '1'
if ARGV[13] == '1' then hash = '' end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local stats = prefix .. ':stats'
redis.call('HINCRBY', stats, 'requests', 1)
-- The request's global slot now dates from its answer: Discord counted it on arrival, which lies between
-- the decision and the answer, so a slot freed 1 s after the answer is freed late, never early. Added back
-- if it was already trimmed (an answer slower than the window, on a loaded host); never for exempt routes.
if ARGV[14] ~= '1' then
  redis.call('ZADD', prefix .. ':global', now, token)
  redis.call('PEXPIRE', prefix .. ':global', 3000)
end

if hash ~= '' then
  redis.call('HSET', prefix .. ':routes', route, hash)
  if limit and remaining and resetAfter then
    local bucketKey = prefix .. ':bucket:' .. hash .. ':' .. major
    local state = redis.call('HMGET', bucketKey, 'remaining', 'reset')
    local reset = now + resetAfter
    if state[1] and now < tonumber(state[2]) then
      -- Same window: ours counts reservations still in flight, Discord's counts other processes' arrivals.
      remaining = math.min(remaining, tonumber(state[1]))
    end
    redis.call('HSET', bucketKey, 'limit', limit, 'remaining', remaining, 'reset', reset, 'window', resetAfter)
    redis.call('PEXPIRE', bucketKey, resetAfter + 60000)
  end
elseif status >= 200 and status < 400 and discovering then
  redis.call('HSETNX', prefix .. ':routes', route, '-')
end

if status == 429 then
  redis.call('HINCRBY', stats, '429:' .. (scope ~= '' and scope or 'user'), 1)
  if scope == 'global' then
    redis.call('SET', prefix .. ':global-block', '1', 'PX', math.max(retryAfter, 1))
  elseif hash ~= '' then
    local bucketKey = prefix .. ':bucket:' .. hash .. ':' .. major
    redis.call('HSET', bucketKey, 'remaining', 0, 'reset', now + retryAfter)
    if not redis.call('HGET', bucketKey, 'limit') then
      redis.call('HSET', bucketKey, 'limit', 1, 'window', retryAfter)
    end
    redis.call('PEXPIRE', bucketKey, retryAfter + 60000)
  end
end
if status == 401 or status == 403 or (status == 429 and scope ~= 'shared') then
  local invalidKey = prefix .. ':invalid:' .. math.floor(now / 600000)
  redis.call('INCR', invalidKey)
  redis.call('PEXPIRE', invalidKey, 1200000)
  redis.call('HINCRBY', stats, 'invalid', 1)
end
if discovering then
  local discoverKey = prefix .. ':discover:' .. route .. ':' .. major
  if redis.call('GET', discoverKey) == token then redis.call('DEL', discoverKey) end
end
return 1
`;
