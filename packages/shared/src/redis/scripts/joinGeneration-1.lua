--[[
  Decides which shard generation a starting gateway joins. The first gateway of a deployment creates
  generation 1 with its count; later ones must match the active count, or the count of a reshard under
  way (they join it), or they are refused: two shard sets must never contend for one generation's leases.

  Input:
    KEYS[1] generation state  HASH active, activeShardCount, target, targetShardCount, phase, ...

    ARGV[1] the count the gateway is configured with, or 0 for auto (follow the active generation)
    ARGV[2] the count to create generation 1 with when none exists (Discord's recommendation for auto)

  Output:
    { status, active generation, active count, target generation or 0, target count or 0 }
    status: 'created' | 'active' | 'joining' (configured with a reshard's target count) | 'mismatch'
]]
local configured = tonumber(ARGV[1])
local state = redis.call('HMGET', KEYS[1], 'active', 'activeShardCount', 'target', 'targetShardCount')
if not state[1] then
  local count = configured
  if count == 0 then count = tonumber(ARGV[2]) end
  redis.call('HSET', KEYS[1], 'active', 1, 'activeShardCount', count)
  return { 'created', 1, count, 0, 0 }
end
local active = tonumber(state[1])
local activeCount = tonumber(state[2])
local target = tonumber(state[3] or '0')
local targetCount = tonumber(state[4] or '0')
if configured == 0 or configured == activeCount then
  return { 'active', active, activeCount, target, targetCount }
end
if target > 0 and configured == targetCount then
  return { 'joining', active, activeCount, target, targetCount }
end
return { 'mismatch', active, activeCount, target, targetCount }
