import type { SimUser } from "./SimulatorApi.js"

/** What a reply quotes: text, a picture or a file (their bytes become downloadable, like a direct one's). */
export type SimQuote = { readonly msgId?: string } & (
  | { readonly text: string }
  | { readonly picture: Uint8Array; readonly contentType?: string }
  | { readonly file: Uint8Array; readonly fileName: string }
)

/** One message of a forwarded chat history (`chatRecord`). */
export interface SimRecordEntry {
  readonly from: SimUser
  readonly text?: string
  /** A picture entry instead of text (shown as a placeholder; DingTalk sends its download code). */
  readonly picture?: boolean
}
