--[[
  dmid save-score: caches each subject's score unless one of the same or a newer state version is cached.

  Two batches can score the same subject at once (its signals arrive on four topics, handled by
  different partitions and workers). Without this check both would cache and produce a score for the
  same version (two different records under one score id), and a slow batch could replace a newer
  cached score with an older one. With it, the first score of a version wins, everyone emits that one
  record, and an older version never overwrites a newer one.

  The stored value is src/state/cached-score.ts's `<version>:<base64 Avro record>`, so only that prefix
  is read; the score is never decoded here. The JSON form of before ({"version":<n>,...), still found
  until its TTL ends after an upgrade, is read by its own prefix.

  Several subjects per call, as in apply-signals.lua (one per call under Redis Cluster).

  Input, for subjects s = 1..#KEYS:
    KEYS[s]         score: string, the cached score
    ARGV[1]         TTL, seconds
    ARGV[2s]        version of the score to save (integer >= 1)
    ARGV[2s + 1]    the value to store (cached-score.ts form)

  Output: an array with one item per subject: the integer 1 when its value was saved (the caller emits
  its own score; sending the value back would cost a copy and a parse per score), else the stored value
  (of the same version: emit that one; of a newer version: the caller's score is superseded, emit nothing).
]]
local ttl = ARGV[1]
-- All arguments are checked before the first write: Redis does not roll a script back on error.
if #ARGV ~= 2 * #KEYS + 1 or not string.match(ttl, '^%d+$') then
  return redis.error_reply('ERR dmid save-score: malformed arguments')
end
for s = 1, #KEYS do
  if not string.match(ARGV[2 * s], '^%d+$') then
    return redis.error_reply('ERR dmid save-score: malformed arguments')
  end
end

local replies = {}
for s = 1, #KEYS do
  local version = tonumber(ARGV[2 * s])
  local existing = redis.call('GET', KEYS[s])
  local held = existing
    and tonumber(string.match(existing, '^(%d+):') or string.match(existing, '^{"version":(%d+),'))
  if held and held >= version then
    replies[s] = existing
  else
    redis.call('SET', KEYS[s], ARGV[2 * s + 1], 'EX', ttl)
    replies[s] = 1
  end
end
return replies
