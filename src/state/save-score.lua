--[[
  dmid save-score: caches a subject's score unless one of the same or a newer state version is cached.

  Two batches can score the same subject at once (its signals arrive on four topics, handled by
  different partitions and workers). Without this check both would cache and produce a score for the
  same version (two different records under one score id), and a slow batch could replace a newer
  cached score with an older one. With it, the first score of a version wins, everyone emits that one
  record, and an older version never overwrites a newer one.

  The stored value is src/state/cached-score.ts's `<version>:<base64 Avro record>`, so only that prefix
  is read; the score is never decoded here. The JSON form of before ({"version":<n>,...), still found
  until its TTL ends after an upgrade, is read by its own prefix.

  Input:
    KEYS[1]  score: string, the cached score
    ARGV[1]  version of the score to save (integer >= 1)
    ARGV[2]  the value to store (cached-score.ts form)
    ARGV[3]  TTL, seconds

  Output: the integer 1 when ARGV[2] was saved (the caller emits its own score; sending the value back
  would cost a copy and a parse per score), else the stored value (of the same version: emit that one; of
  a newer version: the caller's score is superseded, emit nothing).
]]
local version = tonumber(ARGV[1])
-- The TTL stays the string it came as (EXPIRE-style arguments are parsed by Redis anyway).
local ttl = string.match(ARGV[3], '^%d+$')
if not version or not ttl then return redis.error_reply('ERR dmid save-score: malformed arguments') end
local existing = redis.call('GET', KEYS[1])
if existing then
  local held = tonumber(string.match(existing, '^(%d+):') or string.match(existing, '^{"version":(%d+),'))
  if held and held >= version then return existing end
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ttl)
return 1
