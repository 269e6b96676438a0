import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import type { MediaKind } from "../rules/findMediaReferences.js"
import { DeliveryCertainty } from "./SessionWebhook.js"

export class MediaSendFailed extends Schema.TaggedError<MediaSendFailed>()("MediaSendFailed", {
  step: Schema.Literals(["upload", "send"]),
  reason: Schema.Literals([
    "errcode",
    "http",
    "throttled",
    "permission",
    "credentials",
    "rejected-users",
    "too-large",
    "timeout",
    "network",
  ]),
  status: Schema.optional(Schema.Number),
  errcode: Schema.optional(Schema.Number),
  code: Schema.optional(Schema.String),
  retryable: Schema.Boolean,
  certainty: Schema.optional(DeliveryCertainty),
  message: Schema.String,
}) {}

/** DingTalk's upload limits: 20 MB for images and files (2 MB for voice, which this channel sends as files). */
export const MEDIA_SIZE_LIMITS: Readonly<Record<MediaKind, number>> = {
  image: 20 * 1024 * 1024,
  file: 20 * 1024 * 1024,
}

export interface MediaUpload<E> {
  readonly kind: MediaKind
  readonly fileName: string
  /** Exact length of `body`. */
  readonly bytes: number
  readonly body: Stream.Stream<Uint8Array, E>
}

/** A robot message that shows media: a picture (`sampleImageMsg`) or a file card (`sampleFile`). */
export type MediaMessage =
  /** An uploaded image's media id, or an https URL DingTalk fetches. */
  | { readonly _tag: "Image"; readonly photoURL: string }
  | {
      readonly _tag: "File"
      readonly mediaId: string
      readonly fileName: string
      /** The extension, e.g. "pdf". */
      readonly fileType: string
    }

/** Uploads media (`media/upload`) and sends it as robot messages through the Open API. */
export class MediaSink extends Context.Service<
  MediaSink,
  {
    /** Streams the body to DingTalk (it is never held in memory whole); answers the media id. */
    readonly upload: <E>(upload: MediaUpload<E>) => Effect.Effect<string, MediaSendFailed | E>
    /** `robot/groupMessages/send`. */
    readonly sendToGroup: (
      openConversationId: string,
      message: MediaMessage,
    ) => Effect.Effect<void, MediaSendFailed>
    /** `robot/oToMessages/batchSend`; batches of at most 20 staffIds. */
    readonly sendToUsers: (
      staffIds: ReadonlyArray<string>,
      message: MediaMessage,
    ) => Effect.Effect<void, MediaSendFailed>
  }
>()("@openpollen/core/MediaSink") {}
