-- Settles many claims made by claim-events.lua with one outcome, with the rules of settle-event.lua: 'done'
-- is one SET per event; 'release' deletes only the claims this attempt still holds.
-- KEYS: the events' dedupe keys
-- ARGV[1]: claim token   ARGV[2]: 'done' or 'release'   ARGV[3]: TTL in ms of the 'done' marker
-- Returns how many claims were settled.
if ARGV[2] == 'done' then
  for _, key in ipairs(KEYS) do
    redis.call('SET', key, 'done', 'PX', ARGV[3])
  end
  return #KEYS
end
local claim = 'processing:' .. ARGV[1]
local settled = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == claim then
    redis.call('DEL', key)
    settled = settled + 1
  end
end
return settled
