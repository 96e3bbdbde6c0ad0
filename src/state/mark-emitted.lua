--[[
  dmid mark-emitted: records that each subject's state version was produced. `emitted` only rises, so a
  late or repeated call with an older version changes nothing.

  Several subjects per call, as in apply-signals.lua (one per call under Redis Cluster).

  Input, for subjects s = 1..#KEYS:
    KEYS[s]  state: the subject's state hash (see apply-signals.lua)
    ARGV[s]  version: the state version whose score was produced, integer >= 1

  Output: an array with one item per subject: the emitted version after the call; 0 when the state does
  not exist (expired or never written), which is left alone: an HSET would recreate it as a hash without
  windows or TTL.
]]
-- All arguments are checked before the first write: Redis does not roll a script back on error.
if #ARGV ~= #KEYS then return redis.error_reply('ERR dmid mark-emitted: malformed arguments') end
for s = 1, #KEYS do
  if not string.match(ARGV[s], '^%d+$') then
    return redis.error_reply('ERR dmid mark-emitted: malformed version argument')
  end
end

local replies = {}
for s = 1, #KEYS do
  -- apply-signals.lua writes `emitted` = 0 with the state; only a state written before it did lacks the
  -- field, so EXISTS is needed only then.
  local current = redis.call('HGET', KEYS[s], 'emitted')
  if not current and redis.call('EXISTS', KEYS[s]) == 0 then
    replies[s] = 0
  else
    current = tonumber(current) or 0
    local version = tonumber(ARGV[s])
    if version > current then
      -- The argument as it came: a Lua number would be formatted back through float formatting.
      redis.call('HSET', KEYS[s], 'emitted', ARGV[s])
      replies[s] = version
    else
      replies[s] = current
    end
  end
end
return replies
