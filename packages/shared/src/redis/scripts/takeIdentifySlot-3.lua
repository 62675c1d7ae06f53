--[[
  Takes an identify bucket's slot in arrival order across processes. Waiters that stopped polling (a dead
  process) are dropped after the stale time, so they cannot block the queue.

  Input:
    KEYS[1] slot           STRING held by the last waiter to identify, for one identify window
    KEYS[2] queue          ZSET waiter → arrival time
    KEYS[3] seen           ZSET waiter → last poll time

    ARGV[1] waiter
    ARGV[2] identify window in ms
    ARGV[3] stale time in ms

  Output:
    0 when the slot was taken, else milliseconds to wait before asking again
]]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local stale = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[3]))
for _, member in ipairs(stale) do
  redis.call('ZREM', KEYS[2], member)
  redis.call('ZREM', KEYS[3], member)
end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  redis.call('ZADD', KEYS[2], now, ARGV[1])
end
redis.call('ZADD', KEYS[3], now, ARGV[1])
redis.call('PEXPIRE', KEYS[2], 60000)
redis.call('PEXPIRE', KEYS[3], 60000)
local head = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
if head ~= ARGV[1] then return 50 end
local slot = redis.call('PTTL', KEYS[1])
if slot > 0 then return slot end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return 0
