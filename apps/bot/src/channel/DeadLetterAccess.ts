import { type DeadLetter, DeadLetters } from "@openpollen/core"
import * as Effect from "effect/Effect"
import type * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"

/** What a retry or drop did: true done, false no such letter, undefined no durable store, or why the id was refused. */
export type DeadLetterActed = boolean | undefined | { readonly refused: string }

/** What the gateway may do with the store's dead letters; every member answers `undefined` without a durable store. */
export interface DeadLetterAccess {
  readonly count: () => Promise<number | undefined>
  /** With several accounts, each names the account it came to. */
  readonly list: (
    limit: number,
  ) => Promise<ReadonlyArray<DeadLetter & { readonly account?: string }> | undefined>
  readonly retry: (id: string) => Promise<DeadLetterActed>
  readonly drop: (id: string) => Promise<DeadLetterActed>
}

/** Dead letters of the channel's store (sqlite, redis), through the channel's runtime; store failures reject. */
export const deadLetterAccess = <R>(runtime: ManagedRuntime.ManagedRuntime<R, unknown>): DeadLetterAccess => {
  const withDeadLetters = <A>(
    use: (dead: DeadLetters["Service"]) => Effect.Effect<A, { readonly message: string }>,
  ) =>
    runtime.runPromise(
      Effect.flatMap(Effect.serviceOption(DeadLetters), (dead) =>
        Option.isNone(dead) ? Effect.succeed(undefined) : use(dead.value),
      ).pipe(Effect.mapError((error) => new Error(error.message))),
    )
  return {
    count: () => withDeadLetters((dead) => dead.count),
    list: (limit) => withDeadLetters((dead) => dead.list(limit)),
    retry: (id) => withDeadLetters((dead) => dead.retry(id)),
    drop: (id) => withDeadLetters((dead) => dead.drop(id)),
  }
}
