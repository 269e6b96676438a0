import { Cooldown, CooldownError } from "@openpollen/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { RedisConnection } from "./RedisConnection.js"

/**
 * Cooldowns shared by every bot instance: `SET <prefix>cooldown:<key> 1 NX PX <window>` admits the first taker of a
 * key per window, whichever instance it runs on; Redis drops the key when the window ends.
 */
export const makeRedisCooldown = Effect.gen(function* () {
  const redis = yield* RedisConnection
  return Cooldown.of({
    take: (key, windowMs) =>
      redis
        .run("cooldown take", (client) =>
          client.set(`${redis.keyPrefix}cooldown:${key}`, "1", {
            condition: "NX",
            expiration: { type: "PX", value: Math.max(1, Math.round(windowMs)) },
          }),
        )
        .pipe(
          Effect.map((answer) => answer === "OK"),
          Effect.mapError((error) => new CooldownError({ message: error.message })),
        ),
  })
})

export const RedisCooldown = {
  /** Needs a RedisConnection. */
  layer: Layer.effect(Cooldown, makeRedisCooldown),
}
