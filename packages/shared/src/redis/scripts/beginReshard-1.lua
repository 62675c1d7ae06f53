--[[
  Starts a reshard: generation active+1 with the new count, in the holding phase (its shards connect and
  receive their guilds but publish nothing) until every one of them is ready or the deadline passes.

  Input:
    KEYS[1] generation state  HASH (see RedisKeys.generationState)

    ARGV[1] the new shard count
    ARGV[2] how long (ms) the new set may take to come up before the reshard is rolled back

  Output:
    { 'started', new generation } or { 'refused', reason }
]]
local state = redis.call('HMGET', KEYS[1], 'active', 'activeShardCount', 'target')
if not state[1] then return { 'refused', 'no active shard generation: no gateway has started' } end
if state[3] and tonumber(state[3]) > 0 then
  return { 'refused', 'a reshard to generation ' .. state[3] .. ' is under way' }
end
if tonumber(state[2]) == tonumber(ARGV[1]) then
  return { 'refused', 'the active generation already runs ' .. ARGV[1] .. ' shards' }
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local target = tonumber(state[1]) + 1
redis.call('HSET', KEYS[1], 'target', target, 'targetShardCount', ARGV[1], 'phase', 'holding',
  'startedAt', now, 'deadline', now + tonumber(ARGV[2]), 'switchAt', 0)
return { 'started', target }
