import * as Effect from "effect/Effect"
import type { InboundMessage } from "../domain/InboundMessage.js"
import { type MediaMessage, MediaSendFailed, MediaSink } from "../ports/MediaSink.js"
import { extensionOf } from "../rules/findMediaReferences.js"
import { failedMediaNote } from "../rules/replaceMediaReferences.js"
import { deliverReply } from "./deliverReply.js"
import { openApiTargetOf } from "./openApiTargetOf.js"
import type { PlannedMedia } from "./planMedia.js"

export interface MediaSent {
  readonly sent: number
  readonly failed: number
}

/** Uploads a local file and answers the message that shows it; an https image needs no upload. */
const messageFor = (sink: MediaSink["Service"], item: PlannedMedia) =>
  item._tag === "Remote"
    ? Effect.succeed<MediaMessage>({ _tag: "Image", photoURL: item.url })
    : sink
        .upload({ kind: item.kind, fileName: item.fileName, bytes: item.file.bytes, body: item.file.read })
        .pipe(
          Effect.map(
            (mediaId): MediaMessage =>
              item.kind === "image"
                ? { _tag: "Image", photoURL: mediaId }
                : {
                    _tag: "File",
                    mediaId,
                    fileName: item.fileName,
                    fileType: extensionOf(item.fileName) || "file",
                  },
          ),
        )

export interface SendMediaOptions {
  /** Files that can no longer be sent (found so when planned again after a restart): named in the note. */
  readonly unsendable?: ReadonlyArray<string>
  /** Told, after each item (sent or not), what is left to send: the journal keeps it. */
  readonly progress?: (left: ReadonlyArray<PlannedMedia>) => Effect.Effect<void>
}

/**
 * Sends the answer's media after its text, one message each in the order written, through the Open API (a DM needs
 * the sender's staffId). What fails is named in one visible note afterwards; the text already sent is never at stake.
 */
export const sendMedia = Effect.fnUntraced(function* (
  message: InboundMessage,
  media: ReadonlyArray<PlannedMedia>,
  options: SendMediaOptions = {},
) {
  const sink = yield* Effect.serviceOption(MediaSink)
  const unsendable = options.unsendable ?? []
  if ((media.length === 0 && unsendable.length === 0) || sink._tag === "None")
    return { sent: 0, failed: 0 } satisfies MediaSent
  const target = openApiTargetOf(message)
  const failed: Array<string> = [...unsendable]
  let sent = 0
  for (const [index, item] of media.entries()) {
    const outcome = yield* Effect.result(
      target === undefined
        ? Effect.fail(
            new MediaSendFailed({
              step: "send",
              reason: "rejected-users",
              retryable: false,
              certainty: "certain",
              message: "the DM sender has no staffId for the Open API",
            }),
          )
        : Effect.flatMap(messageFor(sink.value, item), (shown) =>
            target.route === "group"
              ? sink.value.sendToGroup(target.openConversationId, shown)
              : sink.value.sendToUsers([target.staffId], shown),
          ),
    )
    if (outcome._tag === "Success") sent += 1
    else {
      failed.push(item.fileName)
      const failure = outcome.failure
      yield* Effect.logWarning("a file of the answer could not be sent").pipe(
        Effect.annotateLogs({
          fileName: item.fileName,
          error: failure._tag,
          reason: failure.reason,
          ...(failure._tag === "MediaSendFailed" ? { step: failure.step } : {}),
          ...(failure._tag === "MediaSendFailed" && failure.errcode !== undefined
            ? { errcode: failure.errcode }
            : {}),
        }),
      )
    }
    if (options.progress !== undefined) yield* options.progress(media.slice(index + 1))
  }
  yield* Effect.logInfo("sent the answer's media").pipe(Effect.annotateLogs({ sent, failed: failed.length }))
  if (failed.length > 0)
    yield* deliverReply(message, { title: "附件", markdown: failedMediaNote(failed), atUserIds: [] }).pipe(
      Effect.catch((error) =>
        Effect.logError("the note about unsent files could not be delivered").pipe(
          Effect.annotateLogs({ reason: error.reason }),
        ),
      ),
    )
  return { sent, failed: failed.length } satisfies MediaSent
})
