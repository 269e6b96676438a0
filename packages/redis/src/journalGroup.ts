import { ErrorReply } from "@redis/client"
import type { RedisClient } from "./RedisConnection.js"

export const GROUP = "openpollen"

/** Creates the journal's consumer group (and its stream) unless it exists; `start` is where it begins reading. */
export const createGroup = (client: RedisClient, key: string, start: "$" | "0"): Promise<unknown> =>
  client.sendCommand(["XGROUP", "CREATE", key, GROUP, start, "MKSTREAM"]).catch((error: unknown) => {
    if (error instanceof ErrorReply && error.message.startsWith("BUSYGROUP")) return "OK"
    throw error
  })

/**
 * Sends a group command; on NOGROUP (Redis lost its data) creates the group again and retries once, so a flushed
 * or restarted Redis heals instead of failing every call for good.
 */
export const withGroup = async (
  client: RedisClient,
  key: string,
  command: Array<string>,
): Promise<unknown> => {
  try {
    return await client.sendCommand(command)
  } catch (error) {
    if (!(error instanceof ErrorReply && error.message.startsWith("NOGROUP"))) throw error
    await createGroup(client, key, "0")
    return client.sendCommand(command)
  }
}

type Entry = readonly [id: string, fields: ReadonlyArray<string>]

/** `XAUTOCLAIM` pages of entries idle past the lease, as [id, payload]; deleted entries drop out of the PEL. */
export const claimIdle = async (
  client: RedisClient,
  key: string,
  consumer: string,
  leaseMs: number,
  batchSize: number,
): Promise<Array<readonly [string, string | undefined]>> => {
  const found: Array<readonly [string, string | undefined]> = []
  let cursor = "0-0"
  do {
    const reply = (await withGroup(client, key, [
      "XAUTOCLAIM",
      key,
      GROUP,
      consumer,
      String(leaseMs),
      cursor,
      "COUNT",
      String(batchSize - found.length),
    ])) as [string, Array<Entry | null>, ...Array<unknown>]
    cursor = reply[0]
    for (const entry of reply[1]) {
      if (entry === null) continue
      const [id, fields] = entry
      found.push([id, fields[fields.indexOf("frame") + 1]])
    }
  } while (cursor !== "0-0" && found.length < batchSize)
  return found
}
