import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { CardFailed, type CardSpace, ReplyCard } from "../ports/ReplyCard.js"

export interface FakeCard {
  readonly outTrackId: string
  readonly space: CardSpace
  content: string
  /** Every accepted update's content, the final one last. */
  readonly updates: Array<{ readonly content: string; readonly final: boolean; readonly error: boolean }>
  finalized: boolean
  error: boolean
}

type Operation = "create" | "stream" | "finalize"

/** Records every card and update; failures are scripted per operation with `failNext`. */
export const makeFakeReplyCard = () => {
  const unreachable = new Set<string>()
  const cards = new Map<string, FakeCard>()
  const scripted: Record<Operation, Array<CardFailed>> = { create: [], stream: [], finalize: [] }
  const calls: Array<{ readonly operation: Operation; readonly outTrackId: string }> = []
  const scriptedFailure = (operation: Operation, outTrackId: string) =>
    Effect.suspend(() => {
      calls.push({ operation, outTrackId })
      const failure = scripted[operation].shift()
      return failure === undefined ? Effect.void : Effect.fail(failure)
    })
  const refused = (message: string) =>
    Effect.fail(new CardFailed({ reason: "rejected", status: 400, retryable: false, message }))

  const update = (outTrackId: string, content: string, final: boolean, error: boolean) =>
    Effect.flatMap(scriptedFailure(final ? "finalize" : "stream", outTrackId), () => {
      const card = cards.get(outTrackId)
      if (card === undefined) return refused(`no card ${outTrackId}`)
      card.updates.push({ content, final, error })
      card.content = content
      if (final) {
        card.finalized = true
        card.error = error
      }
      return Effect.void
    })

  return {
    layer: Layer.succeed(
      ReplyCard,
      ReplyCard.of({
        create: ({ outTrackId, space }) =>
          Effect.flatMap(scriptedFailure("create", outTrackId), () => {
            if (cards.has(outTrackId)) return Effect.succeed("existing" as const)
            if (space.kind === "dm" && unreachable.has(space.staffId))
              return refused("the card could not be delivered to the user")
            cards.set(outTrackId, {
              outTrackId,
              space,
              content: "",
              updates: [],
              finalized: false,
              error: false,
            })
            return Effect.succeed("created" as const)
          }),
        stream: (outTrackId, { content }) => update(outTrackId, content, false, false),
        finalize: (outTrackId, { content, error }) => update(outTrackId, content, true, error),
      }),
    ),
    cards,
    calls,
    /** Cards to these staffIds fail as DingTalk's failed deliverResults do. */
    rejectStaffIds: (...ids: ReadonlyArray<string>) => {
      for (const id of ids) unreachable.add(id)
    },
    failNext: (operation: Operation, ...errors: ReadonlyArray<CardFailed>) =>
      void scripted[operation].push(...errors),
  }
}
