--[[
  Takes a shard's lease for an owner, unless another owner holds a live one. Each acquisition gets a new,
  larger fencing token, so a write from a holder that lost its lease can be told apart and refused.

  Input:
    KEYS[1] lease          HASH owner, token; expires unless renewed
    KEYS[2] lease fence    counter of fencing tokens (never expires, only grows)

    ARGV[1] owner
    ARGV[2] TTL in ms

  Output:
    the fencing token, or 0 when another owner holds a live lease
]]
local holder = redis.call('HGET', KEYS[1], 'owner')
if holder and holder ~= ARGV[1] then return 0 end
local token = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'token', token)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return token
