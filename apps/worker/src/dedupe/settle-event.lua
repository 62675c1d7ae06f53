-- Settles a claim made by claim-event.lua, only if this attempt still holds it.
-- KEYS[1]: the event's dedupe key
-- ARGV[1]: claim token   ARGV[2]: 'done' or 'release'   ARGV[3]: TTL in ms of the 'done' marker
-- Returns 1 when settled, 0 when the claim had expired or belonged to another attempt.
if redis.call('GET', KEYS[1]) ~= 'processing:' .. ARGV[1] then
  return 0
end
if ARGV[2] == 'done' then
  redis.call('SET', KEYS[1], 'done', 'PX', ARGV[3])
else
  redis.call('DEL', KEYS[1])
end
return 1
