--[[
  Second step of a claim, for the events claimEvents-n.lua found held by other attempts: an event whose
  holder's status is 'done' was handled; one whose holder still runs is busy; one whose holder's status
  lapsed (that attempt died mid-event) is taken over. An event whose holder changed since the first step
  counts as busy: its job retries after back-off.

  Input:
    KEYS[1..] pairs, one per event: KEYS[2i-1] the event key, KEYS[2i] its holder's attempt status key

    ARGV[1] this attempt's token
    ARGV[2] done TTL in ms
    ARGV[2 + i] the holder token the first step saw for pair i

  Output:
    one result per pair: 1 = claimed, 0 = already handled, -1 = being handled
]]
local token = ARGV[1]
local results = {}
for i = 1, #KEYS / 2 do
  local key, holderStatus = KEYS[2 * i - 1], KEYS[2 * i]
  local holder = redis.call('GET', key)
  local result = -1
  if holder == 'done' then
    result = 0
  elseif holder == ARGV[2 + i] then
    local status = redis.call('GET', holderStatus)
    if status == 'done' then
      result = 0
    elseif not status then
      redis.call('SET', key, token, 'PX', ARGV[2])
      result = 1
    end
  end
  results[i] = result
end
return results
