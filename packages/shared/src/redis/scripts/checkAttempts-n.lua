--[[
  One replication check of the dedupe, for every attempt waiting on it (claims or done marks just made by
  other connections). It writes the replication mark, so that the WAIT sent right after it on the same
  connection waits for a replica to hold everything this server applied before the mark: those claims and
  done marks included. It answers, per attempt, whether this server holds the status the attempt last
  wrote: a server that does not (a promoted replica that never received it, a restart that lost it) lost
  the attempt's writes, and the worker must make them again before it trusts them.

  Input:
    KEYS[1] replication mark   STRING written on every check (its value means nothing)
    KEYS[2..] attempt status   STRING 'running' | 'done' of each waiting attempt

    ARGV[1] mark TTL in ms
    ARGV[2..] per attempt, the status it last wrote ('running' after its claim, 'done' after its settle);
              ARGV[i] goes with KEYS[i]

  Output:
    one result per attempt: 1 = this server holds the status, 0 = it lost it
]]
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
local results = {}
for i = 2, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[i] then
    results[i - 1] = 1
  else
    results[i - 1] = 0
  end
end
return results
