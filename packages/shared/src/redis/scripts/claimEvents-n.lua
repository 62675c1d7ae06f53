--[[
  Claims events for one attempt (a job, or a batch job's events), atomically. An event's key holds the
  token of the attempt that claimed it; the attempt's status key says 'running' (expiring after the
  processing TTL, so a crashed attempt's claims lapse) or 'done'. Marking an attempt done is one write
  however many events it handled.
  An event held by another attempt is answered with that attempt's token: whether that attempt is still
  alive is in its status key, which only the caller can name, so the caller asks claimHeldEvents-n.lua
  (a redelivery: rare, and off the normal path's one round trip).

  Input:
    KEYS[1] attempt status   STRING 'running' | 'done' of this attempt
    KEYS[2..] event keys     STRING token of the attempt holding the event, or 'done' (may repeat)

    ARGV[1] attempt token
    ARGV[2] processing TTL in ms
    ARGV[3] done TTL in ms

  Output:
    one result per event: 1 = claimed, 0 = already handled, -1 = being handled (by this attempt already,
    or by an older release's worker), or the token of the other attempt holding it
]]
local token = ARGV[1]
redis.call('SET', KEYS[1], 'running', 'PX', ARGV[2])
local results = {}
for i = 2, #KEYS do
  local key = KEYS[i]
  local result = 1
  if not redis.call('SET', key, token, 'NX', 'PX', ARGV[3]) then
    local holder = redis.call('GET', key)
    if holder == 'done' then
      result = 0
    elseif holder == token or string.sub(holder, 1, 11) == 'processing:' then
      -- Repeated within this attempt, or claimed by an older release's worker (its claim expires itself).
      result = -1
    else
      result = holder
    end
  end
  results[i - 1] = result
end
return results
