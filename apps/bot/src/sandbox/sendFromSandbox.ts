import type {
  Delivery,
  SendOptions,
  SimConversation,
  SimQuote,
  SimUser,
  Simulator,
} from "@openpollen/simulator"
import * as Schema from "effect/Schema"

const optionalKey = Schema.optionalKey

const SandboxQuote = Schema.Struct({
  msgId: optionalKey(Schema.String),
  text: optionalKey(Schema.String),
  dataBase64: optionalKey(Schema.String),
  contentType: optionalKey(Schema.String),
  fileName: optionalKey(Schema.String),
})

/** What the page's composer sends: one message of any kind, optionally quoting an earlier one. */
export const SandboxMessage = Schema.Struct({
  conversationId: Schema.String,
  userId: Schema.String,
  kind: optionalKey(Schema.Literals(["text", "richText", "picture", "audio", "video", "file"])),
  text: optionalKey(Schema.String),
  dataBase64: optionalKey(Schema.String),
  contentType: optionalKey(Schema.String),
  fileName: optionalKey(Schema.String),
  mention: optionalKey(Schema.Boolean),
  quote: optionalKey(SandboxQuote),
})
export type SandboxMessage = typeof SandboxMessage.Type

const bytesOf = (base64: string | undefined) => new Uint8Array(Buffer.from(base64 ?? "", "base64"))

const quoteOf = (quote: SandboxMessage["quote"]): SimQuote | undefined => {
  if (quote === undefined) return undefined
  const id = quote.msgId === undefined ? {} : { msgId: quote.msgId }
  if (quote.dataBase64 !== undefined && quote.fileName !== undefined)
    return { ...id, file: bytesOf(quote.dataBase64), fileName: quote.fileName }
  if (quote.dataBase64 !== undefined)
    return {
      ...id,
      picture: bytesOf(quote.dataBase64),
      ...(quote.contentType === undefined ? {} : { contentType: quote.contentType }),
    }
  return { ...id, text: quote.text ?? "" }
}

export class SandboxInputError extends Error {}

/** Sends one composer message through the simulator, as DingTalk would deliver it. */
export const sendFromSandbox = (
  sim: Simulator,
  conversation: SimConversation,
  user: SimUser,
  message: SandboxMessage,
): Promise<Delivery> => {
  const quote = quoteOf(message.quote)
  const options: SendOptions = { mention: message.mention ?? true, ...(quote === undefined ? {} : { quote }) }
  const text = message.text ?? ""
  const bytes = bytesOf(message.dataBase64)
  const needsData = message.kind !== undefined && message.kind !== "text" && message.kind !== "richText"
  if (needsData && bytes.length === 0) throw new SandboxInputError("this kind needs dataBase64")
  switch (message.kind ?? "text") {
    case "richText":
      return sim.sendRichText(
        conversation,
        user,
        [
          ...(text === "" ? [] : [{ text }]),
          ...(bytes.length === 0
            ? []
            : [{ picture: bytes, contentType: message.contentType ?? "image/png" }]),
        ],
        options,
      )
    case "picture":
      return sim.sendPicture(conversation, user, bytes, {
        ...options,
        ...(message.contentType === undefined ? {} : { contentType: message.contentType }),
      })
    case "audio":
      return sim.sendAudio(conversation, user, { ...options, recognition: text, bytes })
    case "video":
      return sim.sendVideo(conversation, user, { ...options, bytes })
    case "file":
      return sim.sendFile(conversation, user, { ...options, fileName: message.fileName ?? "file.bin", bytes })
    default:
      if (text.trim() === "") throw new SandboxInputError("a text message needs text")
      return sim.sendText(conversation, user, text, options)
  }
}
