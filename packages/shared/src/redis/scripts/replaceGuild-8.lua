--[[
  Replaces one guild's cached state with what its GUILD_CREATE carries, in one step: the skeleton's fields
  are set over the stored ones, and each cached collection (channels, roles, members, threads, thread
  members, emojis) is emptied and refilled, so an entry deleted while the gateway was away (a new session
  replays nothing) is swept. A collection with count -1 (emojis: an empty argument) is not cached and left
  as it is.
  Also the guild's deletion (every count 0, emojis '-').

  Input:
    KEYS[1] guild          HASH field -> JSON value
    KEYS[2] channels       HASH channel id -> JSON
    KEYS[3] roles          HASH role id -> JSON
    KEYS[4] members        HASH user id -> JSON
    KEYS[5] threads        HASH thread id -> JSON
    KEYS[6] threadMembers  HASH '<thread id>:<user id>' -> JSON
    KEYS[7] emojis         STRING JSON array of the guild's emojis
    KEYS[8] pending        SET ids of channels and threads swept whose channel-index entries are not dropped yet

    ARGV[1] number of guild field/value arguments (2 per field)
    ARGV[2] number of channels (-1: channels not cached)
    ARGV[3] number of roles (-1: roles not cached)
    ARGV[4] number of members (-1: members not cached)
    ARGV[5] number of threads (-1: threads not cached)
    ARGV[6] number of thread members (-1: thread members not cached)
    ARGV[7] the emojis' JSON array ('': emojis not cached; '-': delete them)
    ARGV[8] first of the guild field/value arguments, then id/JSON pairs of the channels, roles, members,
            threads and thread members

  Output:
    the ids of the channels and threads removed, now or by an earlier run whose index cleanup did not
    happen (a failed batch, a crash): the caller drops them from the channel index, then from KEYS[8]
]]
local chunk = 500
local collections = 5

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
local counts = {}
for index = 1, collections do counts[index] = tonumber(ARGV[1 + index]) end
local emojis = ARGV[2 + collections]
local cursor = 3 + collections
if guildArgs > 0 then hsetRange(1, cursor, guildArgs / 2) end
cursor = cursor + guildArgs

local removed = {}
local offset = cursor
for index = 1, collections do
  local count = counts[index]
  -- Channels (index 1) and threads (index 4) are in the channel index: report the ones swept.
  if count >= 0 and (index == 1 or index == 4) then
    local kept = {}
    for i = 0, count - 1 do kept[ARGV[offset + i * 2]] = true end
    for _, id in ipairs(redis.call('HKEYS', KEYS[index + 1])) do
      if not kept[id] then removed[#removed + 1] = id end
    end
  end
  if count > 0 then offset = offset + count * 2 end
end

for index = 1, collections do
  local count = counts[index]
  if count >= 0 then
    redis.call('DEL', KEYS[index + 1])
    hsetRange(index + 1, cursor, count)
    cursor = cursor + count * 2
  end
end

if emojis == '-' then
  redis.call('DEL', KEYS[7])
elseif emojis ~= '' then
  redis.call('SET', KEYS[7], emojis)
end
for _, id in ipairs(removed) do redis.call('SADD', KEYS[8], id) end
return redis.call('SMEMBERS', KEYS[8])
