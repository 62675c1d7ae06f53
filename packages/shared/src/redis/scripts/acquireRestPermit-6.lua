--[[
  Decides whether one Discord REST request may be sent now, for every process of the bot at once. Times
  come from Redis (TIME), never from the callers' clocks.
  The global limit is a sliding window (at most N requests in any 1 s + margin), which stays within
  Discord's limit whatever its own window alignment; settleRestResponse-7.lua moves each entry to its
  answer's time. A bucket resets `margin` after its announced reset, so a request sent just before the
  reset cannot land in the next window on top of a full one.
  The caller names the route's bucket from what it last learned of the route → bucket mapping; when Redis
  holds another mapping, nothing is decided and the right bucket hash is answered (code 5), for the caller
  to ask again with the right bucket key.

  Input:
    KEYS[1] invalid requests  HASH 10-minute slot → count (401, 403, non-shared 429)
    KEYS[2] global            ZSET token → time of the requests of the last second
    KEYS[3] global block      STRING present while a global 429 is waited out
    KEYS[4] routes            HASH route → bucket hash ('-' = the route has none)
    KEYS[5] bucket            HASH limit, remaining, reset, window of the caller's bucket for this major
    KEYS[6] discover          STRING held by the one request that learns this route's bucket

    ARGV[1] route (`METHOD:/route`)
    ARGV[2] the bucket hash the caller knows for the route: '' unknown, '-' none
    ARGV[3] global limit per second
    ARGV[4] '1' when exempt from the global limit
    ARGV[5] invalid-request breaker threshold
    ARGV[6] margin in ms
    ARGV[7] request token
    ARGV[8] discovery TTL in ms
    ARGV[9] '1' when exempt from buckets

  Output:
    {code, waitMs, bucketHash, discovering}: code 0 go · 1 global block · 2 bucket empty · 3 bucket being
    discovered · 4 global window full · 5 the route's bucket is bucketHash (ask again) · -1 breaker open
]]
local route, knownHash = ARGV[1], ARGV[2]
local globalLimit, exempt = tonumber(ARGV[3]), ARGV[4] == '1'
local breaker, margin, token, discoverTtl = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7], tonumber(ARGV[8])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

local slot = math.floor(now / 600000)
local invalid = tonumber(redis.call('HGET', KEYS[1], tostring(slot)) or '0')
  + tonumber(redis.call('HGET', KEYS[1], tostring(slot - 1)) or '0')
if invalid >= breaker then return {-1, 600000 - (now % 600000), '', 0} end

local hash = '-'
if ARGV[9] ~= '1' then
  hash = redis.call('HGET', KEYS[4], route) or ''
  if hash ~= knownHash then return {5, 0, hash, 0} end
end

if not exempt then
  local blocked = redis.call('PTTL', KEYS[3])
  if blocked > 0 then return {1, blocked, '', 0} end
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 1000 - margin)
  if redis.call('ZCARD', KEYS[2]) >= globalLimit then
    local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    return {4, math.max(1, tonumber(oldest[2]) + 1000 + margin - now), '', 0}
  end
end

local discovering = 0
if hash ~= '-' then
  local state = false
  if hash ~= '' then
    state = redis.call('HMGET', KEYS[5], 'limit', 'remaining', 'reset', 'window')
    if not state[1] then state = false end
  end
  if state then
    local limit, remaining, reset, window = tonumber(state[1]), tonumber(state[2]), tonumber(state[3]), tonumber(state[4])
    if now >= reset + margin then
      remaining = limit
      reset = now + window
    end
    if remaining <= 0 then return {2, reset + margin - now, hash, 0} end
    redis.call('HSET', KEYS[5], 'remaining', remaining - 1, 'reset', reset)
  else
    if not redis.call('SET', KEYS[6], token, 'NX', 'PX', discoverTtl) then
      return {3, 20, hash, 0}
    end
    discovering = 1
  end
end

if not exempt then redis.call('ZADD', KEYS[2], now, token) redis.call('PEXPIRE', KEYS[2], 2000 + margin) end
return {0, 0, hash, discovering}
