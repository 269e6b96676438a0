import type { InboundMessage } from "@openpollen/core"
import fc from "fast-check"

export const BOT = "$:LWCP_v1:$bot=="

export const inboundMessage = (overrides: Partial<InboundMessage> = {}): InboundMessage => ({
  messageId: "msg1==",
  type: "text",
  chatbotUserId: BOT,
  conversation: { id: "cidGroup==", kind: "group", title: "群" },
  sender: { id: "$:LWCP_v1:$alice==", staffId: "staff-alice", nick: "Alice" },
  text: "hello",
  attachments: [],
  mentionedBot: true,
  createdAt: 0,
  ...overrides,
})

const id = fc.string({ minLength: 1, maxLength: 8 })

export const arbitraryMessage: fc.Arbitrary<InboundMessage> = fc
  .record({
    kind: fc.constantFrom("dm" as const, "group" as const),
    conversationId: id,
    senderId: fc.oneof(id, fc.constant(BOT)),
    staffId: fc.option(id, { nil: undefined }),
    mentionedBot: fc.boolean(),
  })
  .map((r) =>
    inboundMessage({
      conversation: { id: r.conversationId, kind: r.kind },
      sender: { id: r.senderId, nick: "n", ...(r.staffId === undefined ? {} : { staffId: r.staffId }) },
      mentionedBot: r.mentionedBot,
    }),
  )

/** Markdown-ish text: prose, CJK, emoji, code fences, tables, HTML and long lines. */
export const markdownText = (maxLength: number): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.constantFrom(
          "\n",
          "\n\n",
          "```ts\n",
          "```\n",
          "| a | b |\n",
          "<div>",
          "👩‍👩‍👧",
          "🇨🇳",
          "é",
          "中文段落。",
        ),
        fc.string({ unit: "grapheme", maxLength: 60 }),
      ),
      { maxLength: Math.max(1, Math.floor(maxLength / 20)) },
    )
    .map((parts) => parts.join(""))
