--[[
  THREAD_DELETE with thread members cached: the thread goes with its memberships (Discord sends no
  THREAD_MEMBERS_UPDATE for them). Deleting what is gone is a no-op, so a replayed deletion ends in the
  same state.

  Input:
    KEYS[1] threads        HASH thread id -> JSON (CachedThread)
    KEYS[2] threadMembers  HASH '<thread id>:<user id>' -> JSON

    ARGV[1] the deleted thread's id

  Output:
    the number of memberships removed
]]
redis.call('HDEL', KEYS[1], ARGV[1])
local prefix = ARGV[1] .. ':'
local removed = 0
-- One hash per guild: its memberships are all read to find the thread's (a thread's deletion is rare).
for _, field in ipairs(redis.call('HKEYS', KEYS[2])) do
  if string.sub(field, 1, #prefix) == prefix then
    redis.call('HDEL', KEYS[2], field)
    removed = removed + 1
  end
end
return removed
