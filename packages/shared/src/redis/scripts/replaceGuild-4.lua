--[[
  Replaces one guild's cached state with what its GUILD_CREATE carries, in one step: the skeleton's fields
  are set over the stored ones, and each cached collection (channels, roles, members) is emptied and
  refilled, so an entry deleted while the gateway was away (a new session replays nothing) is swept.
  A collection with count -1 is not cached and left as it is.

  Input:
    KEYS[1] guild      HASH field -> JSON value
    KEYS[2] channels   HASH channel id -> JSON
    KEYS[3] roles      HASH role id -> JSON
    KEYS[4] members    HASH user id -> JSON

    ARGV[1] number of guild field/value arguments (2 per field)
    ARGV[2] number of channels (-1: channels not cached)
    ARGV[3] number of roles (-1: roles not cached)
    ARGV[4] number of members (-1: members not cached)
    ARGV[5] first of the guild field/value arguments, then id/JSON pairs of the channels, roles, members

  Output:
    the ids of the channels removed (the caller drops them from the channel index)
]]
local chunk = 500

local function hsetRange(keyIndex, from, pairs)
  local i = 0
  while i < pairs do
    local n = math.min(chunk, pairs - i)
    local args = {}
    for j = 0, n * 2 - 1 do args[#args + 1] = ARGV[from + i * 2 + j] end
    redis.call('HSET', KEYS[keyIndex], unpack(args))
    i = i + n
  end
end

local guildArgs = tonumber(ARGV[1])
local counts = { tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]) }
local cursor = 5
if guildArgs > 0 then hsetRange(1, cursor, guildArgs / 2) end
cursor = cursor + guildArgs

local removedChannels = {}
if counts[1] >= 0 then
  local kept = {}
  for i = 0, counts[1] - 1 do kept[ARGV[cursor + i * 2]] = true end
  for _, id in ipairs(redis.call('HKEYS', KEYS[2])) do
    if not kept[id] then removedChannels[#removedChannels + 1] = id end
  end
end

for index = 1, 3 do
  local count = counts[index]
  if count >= 0 then
    redis.call('DEL', KEYS[index + 1])
    hsetRange(index + 1, cursor, count)
    cursor = cursor + count * 2
  end
end
return removedChannels
