--[[
  CHANNEL_DELETE with threads cached: the channel goes, and its threads with it, with their memberships.
  Discord deletes a channel's threads with it but sends no THREAD_DELETE for them, so only the channel's
  deletion can sweep them. Deleting what is gone is a no-op, so a replayed deletion ends in the same state.

  Input:
    KEYS[1] channels       HASH channel id -> JSON
    KEYS[2] threads        HASH thread id -> JSON (CachedThread)
    KEYS[3] threadMembers  HASH '<thread id>:<user id>' -> JSON (empty unless thread members are cached)
    KEYS[4] pending        SET ids of channels and threads swept whose channel-index entries are not dropped yet

    ARGV[1] the deleted channel's id

  Output:
    the ids of the threads removed, now or by an earlier sweep whose index cleanup did not happen (a
    retried batch or a replay finds nothing left to remove): the caller drops them from the channel index,
    then from KEYS[4]
]]
redis.call('HDEL', KEYS[1], ARGV[1])
local removed = {}
local gone = {}
local stored = redis.call('HGETALL', KEYS[2])
for i = 1, #stored, 2 do
  if cjson.decode(stored[i + 1]).parent_id == ARGV[1] then
    redis.call('HDEL', KEYS[2], stored[i])
    removed[#removed + 1] = stored[i]
    gone[stored[i]] = true
  end
end
if #removed > 0 then
  -- Memberships are keyed '<thread id>:<user id>': the part before the colon names the thread.
  for _, field in ipairs(redis.call('HKEYS', KEYS[3])) do
    if gone[string.match(field, '^(%d+):')] then redis.call('HDEL', KEYS[3], field) end
  end
end
for _, id in ipairs(removed) do redis.call('SADD', KEYS[4], id) end
return redis.call('SMEMBERS', KEYS[4])
