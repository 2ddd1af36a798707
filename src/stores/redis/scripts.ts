/**
 * The Lua scripts behind the Redis store. KEYS[1] is the entry, KEYS[2] the version counter.
 * ARGV[1] is the JSON value, ARGV[2] the TTL in milliseconds ('' for none), ARGV[3] (compareAndSet
 * only) the expected version ('' for "must be absent").
 *
 * `e` (expiresAt) is computed from the Redis server clock (TIME), the same clock that expires the
 * key, so what `get` reports and when the entry vanishes agree.
 */
const WRITE = `
local function write()
  local ver = redis.call('INCR', KEYS[2])
  redis.call('DEL', KEYS[1])
  if ARGV[2] == '' then
    redis.call('HSET', KEYS[1], 'v', ARGV[1], 'ver', ver)
  else
    local t = redis.call('TIME')
    local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    local ttl = tonumber(ARGV[2])
    redis.call('HSET', KEYS[1], 'v', ARGV[1], 'ver', ver, 'e', ms + ttl)
    redis.call('PEXPIRE', KEYS[1], ttl)
  end
  return ver
end
`;

export const SCRIPTS = {
  set: `${WRITE}
return write()`,
  setIfAbsent: `${WRITE}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
return write()`,
  compareAndSet: `${WRITE}
local current = redis.call('HGET', KEYS[1], 'ver')
if ARGV[3] == '' then
  if current then return 0 end
elseif current ~= ARGV[3] then
  return 0
end
return write()`,
  // KEYS[1] the entry, ARGV[1] the expected version.
  compareAndDelete: `if redis.call('HGET', KEYS[1], 'ver') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
  // Batch read. KEYS: the entries. Returns one [v, ver, e] per key (nil fields for an absent key).
  getMany: `local out = {}
for i, key in ipairs(KEYS) do out[i] = redis.call('HMGET', key, 'v', 'ver', 'e') end
return out`,
  // Batch write. KEYS: the entries, then the version counter; ARGV: their JSON values, then the
  // TTL in milliseconds ('' for none). One script, so the batch is all-or-nothing.
  setMany: `local n = #KEYS - 1
local counter = KEYS[#KEYS]
local ttl = ARGV[#ARGV]
local ms
if ttl ~= '' then
  local t = redis.call('TIME')
  ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  ttl = tonumber(ttl)
end
local out = {}
for i = 1, n do
  local ver = redis.call('INCR', counter)
  redis.call('DEL', KEYS[i])
  if ms == nil then
    redis.call('HSET', KEYS[i], 'v', ARGV[i], 'ver', ver)
  else
    redis.call('HSET', KEYS[i], 'v', ARGV[i], 'ver', ver, 'e', ms + ttl)
    redis.call('PEXPIRE', KEYS[i], ttl)
  end
  out[i] = ver
end
return out`,
} as const;

export type ScriptName = keyof typeof SCRIPTS;
