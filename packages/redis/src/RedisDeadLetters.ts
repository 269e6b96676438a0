import { type DeadLetter, DeadLetters, DeadLettersError } from "@openpollen/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { evalScript, luaScript } from "./luaScript.js"
import { RedisConnection } from "./RedisConnection.js"
import type { RedisUnavailable } from "./RedisUnavailable.js"

/**
 * Moves dead letter ARGV[2] of KEYS[2] back into the journal stream KEYS[1] and into the pending list of consumer
 * ARGV[3] of group ARGV[1], which no instance renews: once idle past the lease, any instance claims it as an orphan.
 */
const retryScript = luaScript(`
local entry = redis.call('XRANGE', KEYS[2], ARGV[2], ARGV[2])[1]
if not entry then return 0 end
local frame = ''
for f = 1, #entry[2], 2 do
  if entry[2][f] == 'frame' then frame = entry[2][f + 1] end
end
redis.call('XADD', KEYS[1], '*', 'frame', frame)
redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[3], 'COUNT', '100', 'STREAMS', KEYS[1], '>')
redis.call('XDEL', KEYS[2], ARGV[2])
return 1
`)

const GROUP = "openpollen"
const RETRY_CONSUMER = "dead-letters:retry"

const StoredFrame = Schema.Struct({ data: Schema.Unknown, receivedAt: Schema.Number })
const decodeStored = Schema.decodeUnknownOption(Schema.fromJsonString(StoredFrame))
const CallbackIds = Schema.Struct({
  msgId: Schema.optionalKey(Schema.String),
  conversationId: Schema.optionalKey(Schema.String),
})
const decodeIds = Schema.decodeUnknownOption(CallbackIds)

type Entry = readonly [id: string, fields: ReadonlyArray<string>]
const field = (fields: ReadonlyArray<string>, name: string) => {
  const index = fields.indexOf(name)
  return index === -1 ? undefined : fields[index + 1]
}

/** The dead-letter stream `<prefix>inbound:dead` the RedisInboundJournal fills, read by ids only. */
export const makeRedisDeadLetters = Effect.gen(function* () {
  const redis = yield* RedisConnection
  const key = `${redis.keyPrefix}inbound`
  const deadKey = `${key}:dead`
  const failed = (error: RedisUnavailable) => new DeadLettersError({ message: error.message })
  const isStreamId = (id: string) => /^\d+-\d+$/.test(id)

  const toLetter = ([id, fields]: Entry): DeadLetter => {
    const stored = Option.flatMap(Option.fromNullishOr(field(fields, "frame")), decodeStored)
    const ids = Option.flatMap(stored, (found) => decodeIds(found.data))
    return {
      id,
      ...Option.getOrElse(ids, () => ({})),
      receivedAt: Option.match(stored, { onNone: () => 0, onSome: (found) => found.receivedAt }),
      deadAt: Number(id.split("-")[0]),
      deliveries: Number(field(fields, "deliveries") ?? 0),
    }
  }

  return DeadLetters.of({
    count: redis.run("dead letters count", (client) => client.xLen(deadKey)).pipe(Effect.mapError(failed)),
    list: (limit) =>
      redis
        .run("dead letters list", (client) =>
          client.sendCommand(["XRANGE", deadKey, "-", "+", "COUNT", String(Math.max(Math.floor(limit), 1))]),
        )
        .pipe(
          Effect.map((reply) =>
            (reply as unknown as Array<Entry>).slice(0, Math.max(limit, 0)).map(toLetter),
          ),
          Effect.mapError(failed),
        ),
    retry: (id) =>
      isStreamId(id)
        ? redis
            .run("dead letter retry", (client) =>
              evalScript(client, retryScript, [key, deadKey], [GROUP, id, RETRY_CONSUMER]),
            )
            .pipe(
              Effect.map((moved) => moved === 1),
              Effect.mapError(failed),
            )
        : Effect.succeed(false),
    drop: (id) =>
      isStreamId(id)
        ? redis
            .run("dead letter drop", (client) => client.xDel(deadKey, id))
            .pipe(
              Effect.map((removed) => removed > 0),
              Effect.mapError(failed),
            )
        : Effect.succeed(false),
  })
})

export const RedisDeadLetters = {
  /** Needs a RedisConnection. */
  layer: Layer.effect(DeadLetters, makeRedisDeadLetters),
}
