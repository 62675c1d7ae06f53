--[[
  THREAD_LIST_SYNC (the bot gained access to channels): the active threads of the listed parent channels
  (or of the whole guild when none are listed) are replaced by the ones the event carries, and the bot's
  memberships the event lists are set. Archived threads are kept: the event lists active threads only, so an
  archived one's absence says nothing. Threads of other parents are left alone. A thread removed takes its
  memberships with it. Whole entries are set or removed, so a replayed sync ends in the same state.

  Input:
    KEYS[1] threads        HASH thread id -> JSON (CachedThread)
    KEYS[2] threadMembers  HASH '<thread id>:<user id>' -> JSON (empty unless thread members are cached)
    KEYS[3] pending        SET ids of channels and threads swept whose channel-index entries are not dropped yet

    ARGV[1] number of parent channel ids (-1: the whole guild)
    ARGV[2] number of membership field/JSON pairs
    ARGV[3] first of the parent channel ids, then the membership pairs, then id/JSON pairs of the synced
            threads

  Output:
    the ids of the threads removed and not synced again, now or by an earlier sweep whose index cleanup did
    not happen: the caller drops them from the channel index, then from KEYS[3]
]]
local chunk = 500

-- `keyIndex` names the key by its place in KEYS: a key is only ever one given in KEYS.
local function hsetRange(keyIndex, from, last)
  local i = from
  while i <= last do
    local args = {}
    local stop = math.min(i + chunk * 2 - 1, last)
    for j = i, stop do args[#args + 1] = ARGV[j] end
    redis.call('HSET', KEYS[keyIndex], unpack(args))
    i = stop + 1
  end
end

local parentCount = tonumber(ARGV[1])
local membershipPairs = tonumber(ARGV[2])
local parents = {}
for i = 0, parentCount - 1 do parents[ARGV[3 + i]] = true end
local memberships = 3 + math.max(parentCount, 0)
local cursor = memberships + membershipPairs * 2

local synced = {}
for i = cursor, #ARGV, 2 do synced[ARGV[i]] = true end

local removed = {}
local gone = {}
local stored = redis.call('HGETALL', KEYS[1])
for i = 1, #stored, 2 do
  local id = stored[i]
  local thread = cjson.decode(stored[i + 1])
  local inScope = parentCount < 0 or parents[thread.parent_id] == true
  if inScope and not synced[id] and not thread.thread_metadata.archived then
    redis.call('HDEL', KEYS[1], id)
    removed[#removed + 1] = id
    gone[id] = true
  end
end
if #removed > 0 then
  -- Memberships are keyed '<thread id>:<user id>': the part before the colon names the thread.
  for _, field in ipairs(redis.call('HKEYS', KEYS[2])) do
    if gone[string.match(field, '^(%d+):')] then redis.call('HDEL', KEYS[2], field) end
  end
end

hsetRange(1, cursor, #ARGV)
hsetRange(2, memberships, cursor - 1)
for _, id in ipairs(removed) do redis.call('SADD', KEYS[3], id) end
return redis.call('SMEMBERS', KEYS[3])
