import { deadLettersContract, inboundJournalContract } from "@openpollen/contracts"
import { RedisDeadLetters, RedisInboundJournal } from "@openpollen/redis"
import { Layer } from "effect"
import { connectionLayer, freshPrefix } from "./redisHarness.js"

/** Each instance has a client of its own on one key prefix, as separate processes would. */
const instancesOnOnePrefix = () => {
  const prefix = freshPrefix()
  return {
    open: (options: { readonly leaseMs: number; readonly maxDeliveries?: number }) =>
      Layer.mergeAll(RedisInboundJournal.layer({ ...options, pollEveryMs: 25 }), RedisDeadLetters.layer).pipe(
        Layer.provide(connectionLayer(prefix)),
      ),
  }
}

inboundJournalContract("RedisInboundJournal", instancesOnOnePrefix)
deadLettersContract("RedisDeadLetters", instancesOnOnePrefix)
