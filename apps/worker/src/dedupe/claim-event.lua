-- Claims an event for processing, atomically.
-- KEYS[1]: the event's dedupe key
-- ARGV[1]: claim token (unique per attempt)   ARGV[2]: processing TTL in ms
-- Returns 1 = claimed (run the handlers), 0 = already done (skip), -1 = being processed elsewhere (retry later)
if redis.call('SET', KEYS[1], 'processing:' .. ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
if redis.call('GET', KEYS[1]) == 'done' then
  return 0
end
return -1
