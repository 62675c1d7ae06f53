-- Claims events for one attempt (a job, or a batch job's events), atomically.
-- KEYS[1]: this attempt's status key   KEYS[2..]: the events' dedupe keys (may repeat)
-- ARGV[1]: attempt token   ARGV[2]: processing TTL in ms   ARGV[3]: done TTL in ms
-- ARGV[4]: prefix of attempt status keys (other attempts' status keys are derived from their tokens)
-- An event's key holds the token of the attempt that claimed it; the attempt's status key says 'running'
-- (expiring after the processing TTL, so a crashed attempt's claims lapse) or 'done'. Marking an attempt
-- done is one write however many events it handled.
-- Returns one result per event: 1 = claimed, 0 = already handled, -1 = being handled by a live attempt.
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
      local status = redis.call('GET', ARGV[4] .. holder)
      if status == 'done' then
        result = 0
      elseif status then
        result = -1
      else
        -- The holder's status lapsed: that attempt died mid-event. Take the event over.
        redis.call('SET', key, token, 'PX', ARGV[3])
      end
    end
  end
  results[i - 1] = result
end
return results
