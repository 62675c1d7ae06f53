--[[
  THREAD_MEMBERS_UPDATE, THREAD_MEMBER_UPDATE, the bot added to a thread (THREAD_CREATE): one thread's
  memberships added or removed. A membership is kept only while its thread is cached, so additions to a
  thread not cached are dropped: a resume can replay a join after the thread's deletion (or a sync that
  swept it) was already applied, and nothing later would remove it. A reader's miss asks Discord.
  Whole entries are set or removed, so replayed updates end in the same state.

  Input:
    KEYS[1] threads        HASH thread id -> JSON (CachedThread)
    KEYS[2] threadMembers  HASH '<thread id>:<user id>' -> JSON (CachedThreadMember)

    ARGV[1] the thread's id
    ARGV[2] number of user ids removed
    ARGV[3] first of the removed user ids, then '<thread id>:<user id>'/JSON pairs of the memberships added

  Output:
    1 when the additions were applied, 0 when the thread is not cached (removals are applied either way)
]]
local removedCount = tonumber(ARGV[2])
for i = 3, 2 + removedCount do redis.call('HDEL', KEYS[2], ARGV[1] .. ':' .. ARGV[i]) end
local first = 3 + removedCount
if first > #ARGV then return 1 end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
local args = {}
for i = first, #ARGV do args[#args + 1] = ARGV[i] end
redis.call('HSET', KEYS[2], unpack(args))
return 1
