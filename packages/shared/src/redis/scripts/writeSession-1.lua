--[[
  Writes a shard's session unless Redis already holds a later sequence of the same session, so the stored
  sequence never goes backwards.

  Input:
    KEYS[1] shard session  HASH sessionId, sequence, resumeURL, shardCount

    ARGV[1] session id
    ARGV[2] sequence (the shard's published watermark)
    ARGV[3] resume URL
    ARGV[4] shard count
    ARGV[5] TTL in ms

  Output:
    1 when written, 0 when a later sequence was kept
]]
local stored = redis.call('HMGET', KEYS[1], 'sessionId', 'sequence')
if stored[1] == ARGV[1] and tonumber(stored[2]) > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'sessionId', ARGV[1], 'sequence', ARGV[2], 'resumeURL', ARGV[3], 'shardCount', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
