--[[
  Writes a shard's session unless Redis already holds a later sequence of the same session, so the stored
  sequence never goes backwards; and refuses to write when this Redis is not the server the gateway last
  wrote the session to (a restart or a failover: its `run_id` differs). That server may have lost the
  gateway's last writes, events and watermark alike, so the gateway must resume the shard from the
  sequence this server holds (returned) instead of writing its own, later one over it.

  Input:
    KEYS[1] shard session  HASH sessionId, sequence, resumeURL, shardCount

    ARGV[1] session id
    ARGV[2] sequence (the shard's published watermark)
    ARGV[3] resume URL
    ARGV[4] shard count
    ARGV[5] TTL in ms
    ARGV[6] run_id of the server the gateway last wrote this session to ('' = none yet)

  Output:
    { status, run_id of this server, stored sequence of this session (-1 when it holds none) }
    status: 1 written, 0 a later sequence was kept, -1 not written: this is another server
]]
local runId = string.match(redis.call('INFO', 'server'), 'run_id:(%x+)') or ''
local stored = redis.call('HMGET', KEYS[1], 'sessionId', 'sequence')
local storedSequence = -1
if stored[1] == ARGV[1] then storedSequence = tonumber(stored[2]) end
if ARGV[6] ~= '' and ARGV[6] ~= runId then return { -1, runId, storedSequence } end
if storedSequence > tonumber(ARGV[2]) then return { 0, runId, storedSequence } end
redis.call('HSET', KEYS[1], 'sessionId', ARGV[1], 'sequence', ARGV[2], 'resumeURL', ARGV[3], 'shardCount', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return { 1, runId, storedSequence }
