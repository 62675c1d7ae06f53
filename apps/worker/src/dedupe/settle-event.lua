-- Settles a claim made by claim-event.lua.
-- KEYS[1]: the event's dedupe key
-- ARGV[1]: claim token   ARGV[2]: 'done' or 'release'   ARGV[3]: TTL in ms of the 'done' marker
-- 'done' marks the event handled even when this attempt's claim expired and another attempt holds it now:
-- this attempt's handlers succeeded, so the event is handled whatever the other attempt does.
-- 'release' deletes only this attempt's own claim, never another's.
-- Returns 1 when settled, 0 when a release found the claim expired or held by another attempt.
if ARGV[2] == 'done' then
  redis.call('SET', KEYS[1], 'done', 'PX', ARGV[3])
  return 1
end
if redis.call('GET', KEYS[1]) ~= 'processing:' .. ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[1])
return 1
