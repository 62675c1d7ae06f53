-- Claims an event for processing, atomically.
-- KEYS[1]: the event's dedupe key
-- ARGV[1]: claim token (unique per attempt)   ARGV[2]: processing TTL in ms
-- Returns 1 = claimed (run the handlers), 0 = already done (skip), -1 = being processed elsewhere (retry later)
local state = redis.call('GET', KEYS[1])
if state == 'done' then
  return 0
end
if state then
  return -1
end
redis.call('SET', KEYS[1], 'processing:' .. ARGV[1], 'PX', ARGV[2])
return 1
