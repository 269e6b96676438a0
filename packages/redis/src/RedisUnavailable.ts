import * as Schema from "effect/Schema"

/** Redis could not answer. `where` is `host:port`; no field ever holds the URL's password or a stored value. */
export class RedisUnavailable extends Schema.TaggedError<RedisUnavailable>()("RedisUnavailable", {
  where: Schema.String,
  reason: Schema.Literals(["invalid-url", "unreachable", "timeout", "auth", "offline", "reply"]),
  message: Schema.String,
}) {}
