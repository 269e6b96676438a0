const ROBOT_TOPIC = "/v1.0/im/bot/messages/get"
const MEGABYTE = 1024 * 1024

type Random = () => number
const pick = <A>(random: Random, items: ReadonlyArray<A>): A =>
  items[Math.floor(random() * items.length)] as A
const integer = (random: Random, below: number) => Math.floor(random() * below)

/** Any UTF-16 code unit, lone surrogates and control characters included. */
const noise = (random: Random, length: number): string =>
  String.fromCharCode(...Array.from({ length }, () => integer(random, 0x10000)))

const anyValue = (random: Random, depth = 0): unknown => {
  switch (integer(random, depth > 2 ? 6 : 8)) {
    case 0:
      return integer(random, 2) === 0 ? -1e308 * random() : integer(random, 1e9)
    case 1:
      return random() < 0.5
    case 2:
      return null
    case 3:
      return noise(random, integer(random, 40))
    case 4:
      return ""
    case 5:
      return pick(random, [Number.NaN, "1", "2", "[]", "{}", "null", "💥", "\u0000"])
    case 6:
      return Array.from({ length: integer(random, 5) }, () => anyValue(random, depth + 1))
    default:
      return Object.fromEntries(
        Array.from({ length: integer(random, 5) }, () => [noise(random, 4), anyValue(random, depth + 1)]),
      )
  }
}

/** Anything but a string. */
const notAString = (random: Random): unknown => {
  const value = anyValue(random)
  return typeof value === "string" ? [value] : value
}

/** A plausible robot callback payload on no real conversation, with a session webhook on a foreign origin. */
const template = (random: Random): Record<string, unknown> => ({
  msgId: `msgFUZZ${integer(random, 1e9)}==`,
  msgtype: "text",
  createAt: Date.now(),
  conversationType: pick(random, ["1", "2"]),
  conversationId: `cidFUZZ${integer(random, 1e9)}==`,
  senderId: "$:LWCP_v1:$fuzz",
  senderStaffId: "fuzz-staff-not-in-org",
  chatbotUserId: "$:LWCP_v1:$fuzzbot",
  sessionWebhook: "https://oapi.example.invalid/robot/sendBySession?session=fuzz",
  sessionWebhookExpiredTime: Date.now() + 60_000,
  text: { content: "fuzz" },
})

/** Fields the decoder requires: corrupting one of them always makes the payload undecodable. */
const REQUIRED = [
  "msgId",
  "msgtype",
  "createAt",
  "conversationType",
  "conversationId",
  "senderId",
  "chatbotUserId",
]
const OPTIONAL = ["text", "atUsers", "isInAtList", "sessionWebhook", "senderStaffId", "content", "robotCode"]

const envelope = (type: unknown, headers: unknown, data: unknown) =>
  JSON.stringify({ specVersion: "1.0", type, headers, data })

const callbackHeaders = (random: Random) => ({
  contentType: "application/json",
  messageId: `fuzz_${integer(random, 1e9)}`,
  time: String(Date.now()),
  topic: ROBOT_TOPIC,
})

/** Random text, nowhere near JSON. */
const randomBytes = (random: Random): string => noise(random, 1 + integer(random, 4_096))

/** Valid JSON whose envelope has the wrong shape or types. */
const wrongTypes = (random: Random): string => {
  switch (integer(random, 8)) {
    case 0:
      return JSON.stringify(pick(random, [42, "frame", null, true, [], [1, 2, 3], {}]))
    case 1:
      return envelope(notAString(random), anyValue(random), anyValue(random))
    case 2:
      return envelope("CALLBACK", notAString(random), "{}")
    case 3:
      return envelope("CALLBACK", { topic: notAString(random), messageId: anyValue(random) }, "{}")
    case 4:
      return envelope("SYSTEM", { topic: "ping", messageId: anyValue(random) }, notAString(random))
    case 5:
      return envelope("EVENT", { topic: "*", messageId: anyValue(random) }, anyValue(random))
    case 6:
      return envelope("CALLBACK", { ...callbackHeaders(random), messageId: notAString(random) }, "{}")
    default:
      return envelope("CALLBACK", callbackHeaders(random), notAString(random))
  }
}

/** A well-formed CALLBACK frame whose data has required fields missing or of the wrong type, or is not JSON. */
const badCallbackData = (random: Random): string => {
  const variant = integer(random, 10)
  if (variant === 0) return envelope("CALLBACK", callbackHeaders(random), `{"msgId":${noise(random, 12)}`)
  if (variant === 1) return envelope("CALLBACK", callbackHeaders(random), JSON.stringify(anyValue(random)))
  const payload = template(random)
  const required = pick(random, REQUIRED)
  if (random() < 0.2) delete payload[required]
  else payload[required] = notAString(random)
  for (let extra = integer(random, 3); extra > 0; extra -= 1)
    payload[pick(random, [...REQUIRED, ...OPTIONAL])] = anyValue(random)
  return envelope("CALLBACK", callbackHeaders(random), JSON.stringify(payload))
}

/** About 1 MB: garbage, an envelope of the wrong type, or a CALLBACK whose mistyped data carries a huge text. */
const huge = (random: Random): string => {
  switch (integer(random, 4)) {
    case 0:
      return "x".repeat(MEGABYTE - integer(random, 1_000))
    case 1:
      return envelope(
        "CALLBACK",
        Array.from({ length: MEGABYTE / 2 }, () => integer(random, 10)),
        "{}",
      )
    case 2: {
      const payload = { ...template(random), msgId: 123, text: { content: "长".repeat(MEGABYTE / 3) } }
      return envelope("CALLBACK", callbackHeaders(random), JSON.stringify(payload))
    }
    default:
      // The bot echoes a ping's data; the simulator accepts frames up to 1 MiB, so leave room for the envelope.
      return envelope("SYSTEM", { topic: "ping", messageId: "fuzz" }, "a".repeat(MEGABYTE - 8_192))
  }
}

export type FuzzKind = "random bytes" | "wrong types" | "bad callback data" | "huge"

/** The i-th frame of a fuzz run: three tenths each of random bytes, wrong types and bad callback data, a tenth huge. */
export const fuzzFrame = (
  random: Random,
  index: number,
): { readonly kind: FuzzKind; readonly raw: string } => {
  const slot = index % 10
  if (slot < 3) return { kind: "random bytes", raw: randomBytes(random) }
  if (slot < 6) return { kind: "wrong types", raw: wrongTypes(random) }
  if (slot < 9) return { kind: "bad callback data", raw: badCallbackData(random) }
  return { kind: "huge", raw: huge(random) }
}
