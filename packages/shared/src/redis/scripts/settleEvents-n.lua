--[[
  Ends an attempt made by claimEvents-n.lua: first frees the events it failed (their keys, only where this
  attempt still holds them, so their retry can claim them), then marks the attempt 'done' when it handled
  any event, or removes its status when it handled none. Both in one script, so no other attempt can see
  a failed event as handled in between.

  Input:
    KEYS[1] attempt status   STRING 'running' | 'done' of this attempt
    KEYS[2..] event keys     of the events to release

    ARGV[1] attempt token
    ARGV[2] '1' when some event was handled
    ARGV[3] done TTL in ms

  Output:
    how many events were released
]]
local released = 0
for i = 2, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then
    redis.call('DEL', KEYS[i])
    released = released + 1
  end
end
if ARGV[2] == '1' then
  redis.call('SET', KEYS[1], 'done', 'PX', ARGV[3])
else
  redis.call('DEL', KEYS[1])
end
return released
