import { createHash } from "node:crypto"
import { ErrorReply } from "@redis/client"
import type { RedisClient } from "./RedisConnection.js"

export interface LuaScript {
  readonly source: string
  readonly sha1: string
}

export const luaScript = (source: string): LuaScript => ({
  source,
  sha1: createHash("sha1").update(source).digest("hex"),
})

/** EVALSHA, falling back to EVAL once when the server has not cached the script (a restart, SCRIPT FLUSH). */
export const evalScript = async (
  client: RedisClient,
  script: LuaScript,
  keys: Array<string>,
  args: Array<string>,
): Promise<unknown> => {
  try {
    return await client.evalSha(script.sha1, { keys, arguments: args })
  } catch (error) {
    if (!(error instanceof ErrorReply && error.message.startsWith("NOSCRIPT"))) throw error
    return await client.eval(script.source, { keys, arguments: args })
  }
}

/** Deletes KEYS[1] only while it still holds ARGV[1]: a lock or claim is released by its owner alone. */
export const compareAndDelete = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

/** Extends KEYS[1] by ARGV[2] ms only while it still holds ARGV[1]. */
export const compareAndExtend = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`)
