--[[
  Gives a shard's lease up, only for its current holder and token.

  Input:
    KEYS[1] lease          HASH owner, token

    ARGV[1] owner
    ARGV[2] fencing token

  Output:
    1 when released, 0 when this owner no longer held it
]]
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'token') ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
return 1
