import { luaScript } from "./luaScript.js"

// The journal's scripts: each runs atomically on the server.

/**
 * Atomically appends the frame and reads it into this consumer's pending list: every writer goes through this
 * script, so the group's only undelivered entry is the one just added (a stray one would become this consumer's
 * and be reclaimed like any other). When the group is gone (Redis flushed or restarted without persistence) it is
 * created again from the stream's start, so the frame just added is read too.
 */
export const recordScript = luaScript(`
local id = redis.call('XADD', KEYS[1], '*', 'frame', ARGV[3])
local read = redis.pcall('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', '100', 'STREAMS', KEYS[1], '>')
if type(read) == 'table' and read.err then
  if string.find(read.err, 'NOGROUP', 1, true) == nil then return redis.error_reply(read.err) end
  redis.call('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0')
  redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', '100', 'STREAMS', KEYS[1], '>')
end
return id
`)

export const settleScript = luaScript(`
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return redis.call('XDEL', KEYS[1], ARGV[2])
`)

/**
 * For each claimed id ARGV[3..]: when XPENDING says it has been delivered more than ARGV[2] times, copy it to the
 * dead-letter stream KEYS[2] (about the newest 10,000 kept), then XACK and XDEL it. Returns [id, deliveries] of each entry moved.
 */
export const deadLetterScript = luaScript(`
local moved = {}
for i = 3, #ARGV do
  local id = ARGV[i]
  local pending = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)[1]
  if pending and tonumber(pending[4]) > tonumber(ARGV[2]) then
    local entry = redis.call('XRANGE', KEYS[1], id, id)[1]
    local frame = ''
    if entry then
      for f = 1, #entry[2], 2 do
        if entry[2][f] == 'frame' then frame = entry[2][f + 1] end
      end
    end
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', '10000', '*',
      'frame', frame, 'journalId', id, 'deliveries', tostring(pending[4]))
    redis.call('XACK', KEYS[1], ARGV[1], id)
    redis.call('XDEL', KEYS[1], id)
    moved[#moved + 1] = { id, tonumber(pending[4]) }
  end
end
return moved
`)

/**
 * Removes the group's consumers other than ARGV[2] that have nothing pending and have been idle ARGV[3] ms or more.
 * One script, so no entry can become pending for a consumer between the check and its removal.
 */
export const removeIdleConsumersScript = luaScript(`
local removed = 0
for _, consumer in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local name, pending, idle
  for f = 1, #consumer, 2 do
    if consumer[f] == 'name' then name = consumer[f + 1]
    elseif consumer[f] == 'pending' then pending = tonumber(consumer[f + 1])
    elseif consumer[f] == 'idle' then idle = tonumber(consumer[f + 1]) end
  end
  if name ~= ARGV[2] and pending == 0 and idle ~= nil and idle >= tonumber(ARGV[3]) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], name)
    removed = removed + 1
  end
end
return removed
`)
