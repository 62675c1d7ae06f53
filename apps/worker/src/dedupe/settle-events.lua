-- Settles many claims made by claim-events.lua with one outcome, each only if this attempt still holds it.
-- KEYS: the events' dedupe keys
-- ARGV[1]: claim token   ARGV[2]: 'done' or 'release'   ARGV[3]: TTL in ms of the 'done' marker
-- Returns how many claims were settled.
local settled = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == 'processing:' .. ARGV[1] then
    if ARGV[2] == 'done' then
      redis.call('SET', key, 'done', 'PX', ARGV[3])
    else
      redis.call('DEL', key)
    end
    settled = settled + 1
  end
end
return settled
