import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { PendingMedia } from "../ports/Transport.js"

const PendingMediaSchema = Schema.Union([
  Schema.Struct({ _tag: Schema.Literal("Remote"), fileName: Schema.String, url: Schema.String }),
  Schema.Struct({
    _tag: Schema.Literal("Local"),
    kind: Schema.Literals(["image", "file"]),
    fileName: Schema.String,
    path: Schema.String,
  }),
])
const PendingMediaJson = Schema.fromJsonString(Schema.Array(PendingMediaSchema))
const decode = Schema.decodeUnknownOption(PendingMediaJson)

/** How a journal keeps an answer's pending media: JSON text. */
export const encodePendingMedia = (media: ReadonlyArray<PendingMedia>): string => JSON.stringify(media)

/** The pending media a journal kept, or undefined when the text is not such a list (a damaged or foreign value). */
export const decodePendingMedia = (text: string): ReadonlyArray<PendingMedia> | undefined =>
  Option.getOrUndefined(decode(text))
