-- Claims many events at once (a batch job), atomically, with the same rules as claim-event.lua.
-- KEYS: the events' dedupe keys
-- ARGV[1]: claim token (unique per attempt)   ARGV[2]: processing TTL in ms
-- Returns one result per key: 1 = claimed, 0 = already done, -1 = being processed elsewhere
local results = {}
for i, key in ipairs(KEYS) do
  local state = redis.call('GET', key)
  if state == 'done' then
    results[i] = 0
  elseif state then
    results[i] = -1
  else
    redis.call('SET', key, 'processing:' .. ARGV[1], 'PX', ARGV[2])
    results[i] = 1
  end
end
return results
