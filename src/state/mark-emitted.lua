--[[
  dmid mark-emitted: records that a subject's state version was produced. `emitted` only rises, so a
  late or repeated call with an older version changes nothing.

  Input:
    KEYS[1]  state: the subject's state hash (see apply-signals.lua)
    ARGV[1]  version: the state version whose score was produced, integer >= 1

  Output: the emitted version after the call; 0 when the state does not exist (expired or never
  written), which is left alone: an HSET would recreate it as a hash without windows or TTL.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local current = tonumber(redis.call('HGET', KEYS[1], 'emitted')) or 0
local version = string.match(ARGV[1], '^%d+$') and tonumber(ARGV[1])
if not version then
  return redis.error_reply('ERR dmid mark-emitted: malformed version argument')
end
if version > current then
  -- The argument as it came: a Lua number would be formatted back through float formatting.
  redis.call('HSET', KEYS[1], 'emitted', ARGV[1])
  return version
end
return current
