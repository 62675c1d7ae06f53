--[[
  Records what Discord answered to a request acquireRestPermit-6.lua let through, so every process learns
  from it: the route's bucket and its state, a global block, an invalid request, the statistics.

  Input:
    KEYS[1] stats             HASH counters (requests, 429:<scope>, invalid)
    KEYS[2] global            ZSET token → time of the requests of the last second
    KEYS[3] routes            HASH route → bucket hash ('-' = the route has none)
    KEYS[4] bucket            HASH limit, remaining, reset, window of the answer's bucket for this major
    KEYS[5] global block      STRING present while a global 429 is waited out
    KEYS[6] invalid requests  HASH 10-minute slot → count
    KEYS[7] discover          STRING held by the one request that learns this route's bucket

    ARGV[1] route
    ARGV[2] bucket hash from X-RateLimit-Bucket ('' when absent, or when the route is exempt from buckets)
    ARGV[3] limit ('' when absent)
    ARGV[4] remaining ('' when absent)
    ARGV[5] reset after, in ms ('' when absent)
    ARGV[6] HTTP status
    ARGV[7] 429 scope ('' | user | global | shared)
    ARGV[8] retry after, in ms
    ARGV[9] request token
    ARGV[10] '1' when this request was discovering the route's bucket
    ARGV[11] '1' when exempt from the global limit

  Output:
    1
]]
local route, hash = ARGV[1], ARGV[2]
local limit, remaining, resetAfter = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local status, scope, retryAfter = tonumber(ARGV[6]), ARGV[7], tonumber(ARGV[8])
local token, discovering = ARGV[9], ARGV[10] == '1'
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('HINCRBY', KEYS[1], 'requests', 1)
-- The request's global slot now dates from its answer: Discord counted it on arrival, which lies between
-- the decision and the answer, so a slot freed 1 s after the answer is freed late, never early. Added back
-- if it was already trimmed (an answer slower than the window, on a loaded host); never for exempt routes.
if ARGV[11] ~= '1' then
  redis.call('ZADD', KEYS[2], now, token)
  redis.call('PEXPIRE', KEYS[2], 3000)
end

if hash ~= '' then
  redis.call('HSET', KEYS[3], route, hash)
  if limit and remaining and resetAfter then
    local state = redis.call('HMGET', KEYS[4], 'remaining', 'reset')
    local reset = now + resetAfter
    if state[1] and now < tonumber(state[2]) then
      -- Same window: ours counts reservations still in flight, Discord's counts other processes' arrivals.
      remaining = math.min(remaining, tonumber(state[1]))
    end
    redis.call('HSET', KEYS[4], 'limit', limit, 'remaining', remaining, 'reset', reset, 'window', resetAfter)
    redis.call('PEXPIRE', KEYS[4], resetAfter + 60000)
  end
elseif status >= 200 and status < 400 and discovering then
  redis.call('HSETNX', KEYS[3], route, '-')
end

if status == 429 then
  redis.call('HINCRBY', KEYS[1], '429:' .. (scope ~= '' and scope or 'user'), 1)
  if scope == 'global' then
    redis.call('SET', KEYS[5], '1', 'PX', math.max(retryAfter, 1))
  elseif hash ~= '' then
    redis.call('HSET', KEYS[4], 'remaining', 0, 'reset', now + retryAfter)
    if not redis.call('HGET', KEYS[4], 'limit') then
      redis.call('HSET', KEYS[4], 'limit', 1, 'window', retryAfter)
    end
    redis.call('PEXPIRE', KEYS[4], retryAfter + 60000)
  end
end
if status == 401 or status == 403 or (status == 429 and scope ~= 'shared') then
  local slot = math.floor(now / 600000)
  redis.call('HINCRBY', KEYS[6], tostring(slot), 1)
  redis.call('PEXPIRE', KEYS[6], 1200000)
  -- Only the current and the previous slot count; older ones are dropped as new ones start.
  if redis.call('HLEN', KEYS[6]) > 2 then
    for _, field in ipairs(redis.call('HKEYS', KEYS[6])) do
      if tonumber(field) < slot - 1 then redis.call('HDEL', KEYS[6], field) end
    end
  end
  redis.call('HINCRBY', KEYS[1], 'invalid', 1)
end
if discovering and redis.call('GET', KEYS[7]) == token then redis.call('DEL', KEYS[7]) end
return 1
