--[[
  THREAD_LIST_SYNC (the bot gained access to channels): the active threads of the listed parent channels
  (or of the whole guild when none are listed) are replaced by the ones the event carries. Archived threads
  are kept: the event lists active threads only, so an archived one's absence says nothing. Threads of other
  parents are left alone. Whole entries are set or removed, so a replayed sync ends in the same state.

  Input:
    KEYS[1] threads    HASH thread id -> JSON (CachedThread)
    KEYS[2] pending    SET ids of channels and threads swept whose channel-index entries are not dropped yet

    ARGV[1] number of parent channel ids (-1: the whole guild)
    ARGV[2] first of the parent channel ids, then id/JSON pairs of the synced threads

  Output:
    the ids of the threads removed and not synced again, now or by an earlier sweep whose index cleanup did
    not happen: the caller drops them from the channel index, then from KEYS[2]
]]
local parentCount = tonumber(ARGV[1])
local parents = {}
for i = 0, parentCount - 1 do parents[ARGV[2 + i]] = true end
local cursor = 2 + math.max(parentCount, 0)

local synced = {}
for i = cursor, #ARGV, 2 do synced[ARGV[i]] = true end

local removed = {}
local stored = redis.call('HGETALL', KEYS[1])
for i = 1, #stored, 2 do
  local id = stored[i]
  local thread = cjson.decode(stored[i + 1])
  local inScope = parentCount < 0 or parents[thread.parent_id] == true
  if inScope and not synced[id] and not thread.thread_metadata.archived then
    redis.call('HDEL', KEYS[1], id)
    removed[#removed + 1] = id
  end
end

local chunk = 500
local i = cursor
while i <= #ARGV do
  local args = {}
  local last = math.min(i + chunk * 2 - 1, #ARGV)
  for j = i, last do args[#args + 1] = ARGV[j] end
  redis.call('HSET', KEYS[1], unpack(args))
  i = last + 1
end
for _, id in ipairs(removed) do redis.call('SADD', KEYS[2], id) end
return redis.call('SMEMBERS', KEYS[2])
