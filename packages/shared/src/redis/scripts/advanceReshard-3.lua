--[[
  Moves a reshard on by one step when its condition holds; run by the coordinator (the CLI) and by every
  gateway's timer, so a reshard finishes or rolls back even when its coordinator died.
  - holding → switching when every shard of the new set is ready (has its guilds): the switch time is set
    `lead` ms ahead, so every gateway learns it before it comes (the cut-over rule needs both sets to know).
  - holding → rolled back when the deadline passed first: the target is cleared, the old set runs on.
  - switching → committed when the switch time is `grace` ms past and every shard of the old set confirmed
    it owes nothing from before the switch time (it saw an event past it, or a quiet one had a heartbeat
    sent after the grace acknowledged, everything received published). Never without them, however long
    it takes: an old shard no process runs confirms nothing, and what it did not publish of the time before
    the switch only a resume of its session replays (the new set publishes only from the switch time). The
    switch waits for an owner.

  Input:
    KEYS[1] generation state     HASH (see RedisKeys.generationState)
    KEYS[2] target's readiness   HASH shard id → 'identified' | 'ready'
    KEYS[3] active's cut-over    HASH shard id → time it saw past the switch

    ARGV[1] lead (ms)
    ARGV[2] grace (ms)
    ARGV[3] the target generation the caller read KEYS[2] and KEYS[3] for (another one: nothing is done)

  Output:
    { phase after the step: 'none' | 'holding' | 'switching' | 'committed' | 'rolled-back', ready shards,
      confirmed old shards }
]]
local s = redis.call('HMGET', KEYS[1], 'active', 'activeShardCount', 'target', 'targetShardCount', 'phase',
  'deadline', 'switchAt')
local target = tonumber(s[3] or '0')
if target == 0 then return { 'none', 0, 0 } end
if target ~= tonumber(ARGV[3]) then return { s[5], 0, 0 } end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ready = 0
for _, value in ipairs(redis.call('HVALS', KEYS[2])) do
  if value == 'ready' then ready = ready + 1 end
end
local confirmed = redis.call('HLEN', KEYS[3])
if s[5] == 'holding' then
  if ready >= tonumber(s[4]) then
    redis.call('HSET', KEYS[1], 'phase', 'switching', 'switchAt', now + tonumber(ARGV[1]))
    return { 'switching', ready, confirmed }
  end
  if now > tonumber(s[6]) then
    redis.call('HSET', KEYS[1], 'target', 0, 'targetShardCount', 0, 'phase', '', 'switchAt', 0,
      'last', 'rolled back from generation ' .. target .. ' (' .. ready .. '/' .. s[4] .. ' ready)', 'lastAt', now)
    redis.call('DEL', KEYS[2], KEYS[3])
    return { 'rolled-back', ready, confirmed }
  end
  return { 'holding', ready, confirmed }
end
local switchAt = tonumber(s[7])
if now >= switchAt + tonumber(ARGV[2]) and confirmed >= tonumber(s[2]) then
  redis.call('HSET', KEYS[1], 'active', target, 'activeShardCount', s[4], 'previous', s[1],
    'target', 0, 'targetShardCount', 0, 'phase', '', 'switchAt', 0,
    'last', 'switched from generation ' .. s[1] .. ' (' .. s[2] .. ' shards) to ' .. target .. ' (' .. s[4] .. ')',
    'lastAt', now)
  redis.call('DEL', KEYS[2], KEYS[3])
  return { 'committed', ready, confirmed }
end
return { 'switching', ready, confirmed }
