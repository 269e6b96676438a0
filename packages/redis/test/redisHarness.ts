import { randomUUID } from "node:crypto"
import { RedisConnection, type RedisConnectionConfig } from "@openpollen/redis"
import { Context, Effect, Layer, Redacted, type Scope } from "effect"
import { inject } from "vitest"

/** The redis-server of this test run (see setup/redisServer.ts); its URL carries a password. */
export const redisUrl = (): string => inject("redisUrl")
export const redisPassword = (): string => inject("redisPassword")

/** A key prefix of its own, so tests and repeated runs never see each other's keys. */
export const freshPrefix = (): string => `test-${randomUUID()}:`

export const connectionLayer = (keyPrefix: string, config: Partial<RedisConnectionConfig> = {}) =>
  RedisConnection.layer({ url: Redacted.make(redisUrl()), keyPrefix, ...config })

/** Builds `layer` in the current scope and returns its service: one "instance", with a client of its own. */
export const buildService = <I, S, E>(
  key: Context.Key<I, S>,
  layer: Layer.Layer<I, E>,
): Effect.Effect<S, E, Scope.Scope> => Effect.map(Layer.build(layer), (context) => Context.get(context, key))
