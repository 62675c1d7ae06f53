-- Claims many events at once (a batch job), atomically, with the same rules as claim-event.lua.
-- KEYS: the events' dedupe keys
-- ARGV[1]: claim token (unique per attempt)   ARGV[2]: processing TTL in ms
-- Returns one result per key: 1 = claimed, 0 = already done, -1 = being processed elsewhere
-- One SET NX per new event (the common case); a GET only for events seen before.
local claim = 'processing:' .. ARGV[1]
local results = {}
for i, key in ipairs(KEYS) do
  if redis.call('SET', key, claim, 'NX', 'PX', ARGV[2]) then
    results[i] = 1
  elseif redis.call('GET', key) == 'done' then
    results[i] = 0
  else
    results[i] = -1
  end
end
return results
