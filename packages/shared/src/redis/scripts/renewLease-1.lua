--[[
  Extends a shard's lease, only for its current holder and token.

  Input:
    KEYS[1] lease          HASH owner, token

    ARGV[1] owner
    ARGV[2] fencing token
    ARGV[3] TTL in ms

  Output:
    1 while still the holder, 0 when the lease was lost
]]
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'token') ~= ARGV[2] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
