import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/**
 * A media message of an answer still to send, as a journal keeps it: a local file by the path the answer named (it is
 * resolved and checked again when sent), or an https image.
 */
export const PendingMedia = Schema.Union([
  Schema.Struct({ _tag: Schema.Literal("Remote"), fileName: Schema.String, url: Schema.String }),
  Schema.Struct({
    _tag: Schema.Literal("Local"),
    kind: Schema.Literals(["image", "file"]),
    fileName: Schema.String,
    path: Schema.String,
  }),
])
export type PendingMedia = typeof PendingMedia.Type

const decode = Schema.decodeUnknownOption(Schema.fromJsonString(Schema.Array(PendingMedia)))

/** How a journal keeps an answer's pending media: JSON text. */
export const encodePendingMedia = (media: ReadonlyArray<PendingMedia>): string => JSON.stringify(media)

/** The pending media a journal kept, or undefined when the text is not such a list (a damaged or foreign value). */
export const decodePendingMedia = (text: string): ReadonlyArray<PendingMedia> | undefined =>
  Option.getOrUndefined(decode(text))
