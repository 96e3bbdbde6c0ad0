--[[
  dmid apply-signals: applies the new signals of a batch to one or more subjects, each atomically (the
  whole call is). A port of src/state/window.ts (insertIntoWindow): keep the two in step; the
  conformance tests compare them.

  For each event, in the order given: an id already in `seen` or in its window is a duplicate and
  changes nothing. Otherwise the id is remembered in `seen` (which keeps the newest dedupeSize ids),
  the event goes into its dimension's window in event-time order (observedAt, then eventId byte by
  byte), the window drops its oldest events beyond its size (an event older than a full window is
  not kept, but still counts as applied), `ver` rises by one and `last` becomes its id.

  A window is a string of entries, oldest first, one per line; an entry is a JSON array that starts
  with the event id and observedAt: ["<eventId>",<observedAt>,...] (src/state/window-entry.ts).
  The script reads only that prefix and moves whole lines, so it never decodes a signal: no number
  passes through cjson, and the cost does not grow with the size of the signals.

  Several subjects per call because a script call has a fixed cost (the command, the script lookup, the
  KEYS and ARGV tables, the fixed arguments, the reply) that one subject's work does not dwarf: see
  redis-store.ts. Under Redis Cluster a call may only name the keys of one slot: one subject per call.

  Input, for subjects s = 1..#KEYS/3:
    KEYS[3s-2]  state: hash of telecom, location, biometric, registry (the windows),
                ver (events applied ever), emitted (newest version produced, 0 until one is),
                last (id of event `ver`), salt (the subject's anchor-commitment salt)
    KEYS[3s-1]  seen: sorted set, member event id, score the `ver` it was applied as
    KEYS[3s]    score: string, the cached score (src/state/cached-score.ts; only read here)

    ARGV[1]    dedupeSize: how many event ids `seen` keeps (the newest), integer >= 1
    ARGV[2]    stateTtlSeconds: TTL given to state and seen when an event was applied
    ARGV[3..6] window sizes of telecom, location, biometric, registry
    then, per subject in KEYS order:
      a fresh random salt (64 hex characters): kept as the subject's salt if it has none yet
        (the script cannot make one: Redis seeds Lua's random generator the same every time)
      the state whose windows the caller holds a copy of, as <salt>:<ver>, or '' (none): when the
        state is exactly that one before this call, the windows are not sent back (the caller
        inserts the applied events into its copy: src/state/evidence-cache.ts)
      n, the number of events (integer >= 0)
      the events, 4 arguments each: kind (telecom|location|biometric|registry),
        eventId (a UUID), observedAt (epoch ms), the window entry (one line)

  Output: an array with one item per subject, in KEYS order; each an array of 11 items:
    [1..4]  the windows of telecom, location, biometric, registry as stored, or false (empty, or left out
            because the caller holds them: see [11])
    [5]     ver            [6] emitted (0 if never)       [7] last event id, or false
    [8]     the value of the score key when its version is `ver`, else false
    [9]     one character per event given: '1' applied, '0' duplicate
    [10]    the subject's salt (its fresh salt argument when none is stored and nothing was applied)
    [11]    1 when the windows were left out because the call named the state as found, else 0
]]
local KINDS = { 'telecom', 'location', 'biometric', 'registry' }
local KIND_INDEX = { telecom = 1, location = 2, biometric = 3, registry = 4 }
local dedupeSize = tonumber(ARGV[1])
-- Kept as the string it came as: EXPIRE takes it as is, where a Lua number would be formatted again.
local ttl = ARGV[2]
local sizes = {}
for i, kind in ipairs(KINDS) do sizes[kind] = tonumber(ARGV[2 + i]) end

-- Byte order, not Lua's `<`: Lua compares strings with strcoll and Redis takes LC_COLLATE from the
-- environment, so under a non-C locale `<` would disagree with the TypeScript order.
local function idBefore(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

local function isLater(line, at, id)
  local heldId, heldAt = string.match(line, '^%["([^"]*)",(%d+)')
  heldAt = tonumber(heldAt)
  if heldAt ~= at then return heldAt > at end
  return idBefore(id, heldId)
end

-- insertIntoWindow of window.ts; returns false for a duplicate. `scan`: whether the window may hold the id
-- although `seen` does not (see the caller).
local function insert(lines, size, at, id, entry, scan)
  if scan then
    local prefix = '["' .. id .. '",'
    for i = 1, #lines do
      if string.sub(lines[i], 1, #prefix) == prefix then return false end
    end
  end
  local pos = #lines + 1
  while pos > 1 and isLater(lines[pos - 1], at, id) do pos = pos - 1 end
  if pos == 1 and #lines >= size then return true end
  table.insert(lines, pos, entry)
  while #lines > size do table.remove(lines, 1) end
  return true
end

-- Windows are split into lines only when an event goes into them, and joined once at the end.
local function linesOf(windows, stored, kind)
  if windows[kind] == nil then
    local lines = {}
    local text = stored[KIND_INDEX[kind]]
    if text then
      for line in string.gmatch(text, '[^\n]+') do lines[#lines + 1] = line end
    end
    windows[kind] = lines
  end
  return windows[kind]
end

-- The arguments are checked before the first write (Redis does not roll a script back on error); a
-- subject's fresh salt, which only a subject without state uses, before that subject's first write.
local function malformed(what)
  return redis.error_reply('ERR dmid apply-signals: malformed ' .. what)
end
if #KEYS % 3 ~= 0 or not string.match(ttl, '^%d+$') then return malformed('arguments') end
local counts = {}
local a, argc = 7, #ARGV
for s = 1, #KEYS / 3 do
  local n = ARGV[a + 2]
  if not n or not string.match(n, '^%d+$') then return malformed('arguments') end
  n = tonumber(n)
  local last = a + 2 + 4 * n
  if last > argc then return malformed('arguments') end
  for i = a + 3, last, 4 do
    if sizes[ARGV[i]] == nil or tonumber(ARGV[i + 2]) == nil then return malformed('event arguments') end
  end
  counts[s] = n
  a = last + 1
end
if a ~= argc + 1 then return malformed('arguments') end

-- One subject, with n events: its keys start at KEYS[k], its arguments at ARGV[a]. Returns its reply, or
-- an error reply before any write of its own.
local function applySubject(k, a, n)
  local stateKey, seenKey, scoreKey = KEYS[k], KEYS[k + 1], KEYS[k + 2]
  local freshSalt, held = ARGV[a], ARGV[a + 1]
  local stored = redis.call('HMGET', stateKey, 'telecom', 'location', 'biometric', 'registry',
    'ver', 'emitted', 'last', 'salt')
  local salt = stored[8]
  if not salt and (#freshSalt ~= 64 or not string.match(freshSalt, '^%x+$')) then
    return redis.error_reply('ERR dmid apply-signals: malformed arguments')
  end
  local ver = tonumber(stored[5]) or 0
  local last = stored[7]
  -- The salt is made with the state and deleted with it, so salt and version name one state for good.
  local copyHeld = salt and held == salt .. ':' .. ver
  local windows, flags, touched = {}, {}, {}
  for i = a + 3, a + 2 + 4 * n, 4 do
    local kind, id, at, entry = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]), ARGV[i + 3]
    local applied = false
    if not redis.call('ZSCORE', seenKey, id) then
      -- `seen` loses ids only once `ver` has passed dedupeSize (below); until then it holds every id ever
      -- applied, so an id it lacks is in no window either and the windows need no scan.
      applied = insert(linesOf(windows, stored, kind), sizes[kind], at, id, entry, ver >= dedupeSize)
    end
    if applied then
      ver = ver + 1
      last = id
      touched[kind] = true
      -- Room first, then the add: a sorted set that ever grows past zset-max-listpack-entries (128 by
      -- default) becomes a skiplist, 3 times the memory, and never converts back. `seen` holds at most
      -- one id per version, so it can only be full once `ver` has passed dedupeSize.
      if ver > dedupeSize then
        local excess = redis.call('ZCARD', seenKey) + 1 - dedupeSize
        if excess > 0 then redis.call('ZREMRANGEBYRANK', seenKey, 0, excess - 1) end
      end
      -- %d, not Lua's own number-to-string (%.14g), which goes through float formatting.
      redis.call('ZADD', seenKey, string.format('%d', ver), id)
    end
    flags[#flags + 1] = applied and '1' or '0'
  end

  local reply = {}
  for i, kind in ipairs(KINDS) do
    if touched[kind] then
      stored[i] = table.concat(windows[kind], '\n')
      redis.call('HSET', stateKey, kind, stored[i])
    end
    if copyHeld then reply[i] = false else reply[i] = stored[i] end
  end
  local applied = next(touched) ~= nil
  -- A salt is stored with the first applied event; a call that applies nothing writes nothing.
  if applied then
    if not salt then
      salt = freshSalt
      -- `emitted` starts at 0 so that mark-emitted.lua finds the field and needs no EXISTS.
      redis.call('HSET', stateKey, 'salt', salt, 'emitted', '0')
    end
    redis.call('HSET', stateKey, 'ver', string.format('%d', ver), 'last', last)
    redis.call('EXPIRE', stateKey, ttl)
    redis.call('EXPIRE', seenKey, ttl)
  end
  reply[5] = ver
  reply[6] = tonumber(stored[6]) or 0
  reply[7] = last
  -- The cached score only when it is of exactly this version (a crash between caching and producing it):
  -- otherwise the caller scores anew, and the bytes need not travel or be parsed. A version made by this
  -- call cannot have a score yet, so the key is read only when nothing was applied. Only the <version>:
  -- prefix of cached-score.ts's form (or the {"version":<n>, of its JSON form before) is read.
  local cached = false
  if not applied then
    cached = redis.call('GET', scoreKey)
    local cachedVersion = cached
      and (string.match(cached, '^(%d+):') or string.match(cached, '^{"version":(%d+),'))
    if cached and tonumber(cachedVersion) ~= ver then cached = false end
  end
  reply[8] = cached
  reply[9] = table.concat(flags)
  reply[10] = salt or freshSalt
  reply[11] = copyHeld and 1 or 0
  return reply
end

local replies = {}
a = 7
for s = 1, #counts do
  local reply = applySubject(3 * s - 2, a, counts[s])
  if reply.err then return reply end
  replies[s] = reply
  a = a + 3 + 4 * counts[s]
end
return replies
