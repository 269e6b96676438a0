import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import type { CardFailed, ReplyCard } from "../ports/ReplyCard.js"
import { cardMarkdown } from "../rules/cardMarkdown.js"
import { truncateReply } from "../rules/truncateReply.js"

/** After QpsLimit a card's updates come at most this far apart (fewer, larger updates); never less often. */
const SLOWEST_INTERVAL_MS = 5_000

/** What a card shows for `markdown`: cut at `maxChars` with the usual notice, shaped for the card's renderer. */
export const cardContent = (markdown: string, maxChars: number): string =>
  cardMarkdown(truncateReply(markdown, maxChars).text)

/** QpsLimit only says "later": a call is repeated this many times (each after its back-off) before giving up. */
const MAX_THROTTLED = 20

/**
 * Repeats a card call DingTalk may still accept: after QpsLimit once its back-off has passed (up to
 * MAX_THROTTLED times, not counted in `attempts`), after 5xx, timeouts
 * and network failures after 0.5, 1, 2… s. Refusals (permission, template, bad request) are final.
 */
export const withCardRetries = <A>(call: Effect.Effect<A, CardFailed>, attempts: number) =>
  Effect.gen(function* () {
    let failures = 0
    let throttled = 0
    for (;;) {
      const result = yield* Effect.result(call)
      if (result._tag === "Success") return result.success
      const failure = result.failure
      if (failure.reason === "qps") throttled += 1
      else failures += 1
      const exhausted = failure.reason === "qps" ? throttled >= MAX_THROTTLED : failures >= attempts
      if (!failure.retryable || exhausted) return yield* Effect.fail(failure)
      yield* Effect.sleep(failure.retryAfterMs ?? 500 * 2 ** (failures - 1))
    }
  })

/** The text a card has so far, written by the agent side and read by the card side. */
export interface CardDraft {
  text: string
  done: boolean
}

/**
 * Streams the draft into the card while the agent writes it: at most one update per `intervalMs`, each with the whole
 * text so far (deltas in between coalesce); after QpsLimit it waits the back-off and doubles its interval. Returns once
 * `draft.done` is set, never after sending a stale update, so the final update is always the last.
 */
export const streamCardUpdates = (
  cards: ReplyCard["Service"],
  outTrackId: string,
  draft: CardDraft,
  wake: Queue.Queue<void>,
  options: { readonly intervalMs: number; readonly maxChars: number },
) =>
  Effect.gen(function* () {
    let interval = options.intervalMs
    let nextAt = 0
    let sentLength = 0
    let refused: CardFailed | undefined
    while (!draft.done) {
      if (refused !== undefined || draft.text.length === sentLength) {
        yield* Queue.take(wake)
        continue
      }
      const now = yield* Clock.currentTimeMillis
      if (now < nextAt) {
        yield* Effect.race(Effect.sleep(nextAt - now), Queue.take(wake))
        continue
      }
      const length = draft.text.length
      const sent = yield* Effect.result(
        cards.stream(outTrackId, { content: cardContent(draft.text, options.maxChars) }),
      )
      const after = yield* Clock.currentTimeMillis
      if (sent._tag === "Success") {
        sentLength = length
        nextAt = now + interval
      } else if (sent.failure.reason === "qps") {
        interval = Math.min(Math.max(interval * 2, options.intervalMs), SLOWEST_INTERVAL_MS)
        nextAt = after + Math.max(sent.failure.retryAfterMs ?? 1_000, interval)
        yield* Effect.logDebug("card update throttled; slowing down").pipe(Effect.annotateLogs({ interval }))
      } else if (sent.failure.retryable) nextAt = after + interval
      else {
        refused = sent.failure
        yield* Effect.logWarning("card updates refused; the final update decides").pipe(
          Effect.annotateLogs({ reason: refused.reason, code: refused.code }),
        )
      }
    }
  })
