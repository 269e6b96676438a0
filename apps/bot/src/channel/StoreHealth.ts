import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/** Whether the channel's state store can record a message now; the gateway's /health reports it. */
export class StoreHealth extends Context.Service<
  StoreHealth,
  { readonly check: Effect.Effect<void, { readonly message: string }> }
>()("@openpollen/bot/StoreHealth") {
  /** In-process stores cannot become unreachable. */
  static readonly alwaysHealthy = Layer.succeed(StoreHealth, StoreHealth.of({ check: Effect.void }))
}
