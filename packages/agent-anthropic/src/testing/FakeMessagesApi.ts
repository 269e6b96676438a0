import {
  type ScriptedAnswer,
  type SeenRequest,
  startScriptedSseServer,
} from "@openpollen/agent-tools/testing"

export type { SeenRequest }

/** One server-sent event, sent `afterMs` after the previous one. */
export interface SseEvent {
  readonly event: string
  readonly data: unknown
  readonly afterMs?: number
}

/** What the fake does with one request. */
export type Reply =
  | { readonly kind: "stream"; readonly events: ReadonlyArray<SseEvent>; readonly cutAfter?: number }
  | { readonly kind: "status"; readonly status: number; readonly retryAfter?: string; readonly body?: string }
  /** Sends `events`, then holds the response open until the client gives up. */
  | { readonly kind: "hold"; readonly events?: ReadonlyArray<SseEvent> }

export const textEvents = (chunks: ReadonlyArray<string>, afterMs = 0): ReadonlyArray<SseEvent> => [
  { event: "message_start", data: { type: "message_start", message: { id: "msg_1", role: "assistant" } } },
  {
    event: "content_block_start",
    data: { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
  },
  ...chunks.map((text) => ({
    event: "content_block_delta",
    data: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } },
    afterMs,
  })),
  { event: "content_block_stop", data: { type: "content_block_stop", index: 0 } },
  { event: "message_delta", data: { type: "message_delta", delta: { stop_reason: "end_turn" } } },
  { event: "message_stop", data: { type: "message_stop" } },
]

let toolIds = 0
/** A turn that says `preface` and then asks for read_file on each path (its JSON input split in two deltas). */
export const toolUseEvents = (paths: ReadonlyArray<string>, preface = ""): ReadonlyArray<SseEvent> => {
  const offset = preface === "" ? 0 : 1
  return [
    { event: "message_start", data: { type: "message_start", message: { id: "msg_t", role: "assistant" } } },
    ...(preface === ""
      ? []
      : [
          {
            event: "content_block_start",
            data: { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
          },
          {
            event: "content_block_delta",
            data: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: preface } },
          },
          { event: "content_block_stop", data: { type: "content_block_stop", index: 0 } },
        ]),
    ...paths.flatMap((path, at) => {
      const index = at + offset
      const json = JSON.stringify({ path })
      return [
        {
          event: "content_block_start",
          data: {
            type: "content_block_start",
            index,
            content_block: { type: "tool_use", id: `toolu_${++toolIds}`, name: "read_file", input: {} },
          },
        },
        {
          event: "content_block_delta",
          data: {
            type: "content_block_delta",
            index,
            delta: { type: "input_json_delta", partial_json: json.slice(0, 5) },
          },
        },
        {
          event: "content_block_delta",
          data: {
            type: "content_block_delta",
            index,
            delta: { type: "input_json_delta", partial_json: json.slice(5) },
          },
        },
        { event: "content_block_stop", data: { type: "content_block_stop", index } },
      ]
    }),
    { event: "message_delta", data: { type: "message_delta", delta: { stop_reason: "tool_use" } } },
    { event: "message_stop", data: { type: "message_stop" } },
  ]
}

const lastUserText = (body: SeenRequest["body"]): string => {
  const last = body?.messages?.at(-1)?.content
  if (typeof last === "string") return last
  return Array.isArray(last)
    ? (last.find((block: { type: string }) => block.type === "text")?.text ?? "")
    : ""
}

const frame = (event: SseEvent) => ({
  text: `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`,
  ...(event.afterMs === undefined ? {} : { afterMs: event.afterMs }),
})

const onTheWire = (reply: Reply): ScriptedAnswer => {
  switch (reply.kind) {
    case "status":
      return {
        ...reply,
        body: reply.body ?? '{"type":"error","error":{"type":"api_error","message":"scripted"}}',
      }
    case "hold":
      return { kind: "hold", frames: (reply.events ?? []).map(frame) }
    case "stream":
      return {
        kind: "stream",
        frames: reply.events.map(frame),
        ...(reply.cutAfter === undefined ? {} : { cutAfter: reply.cutAfter }),
      }
  }
}

/**
 * A local stand-in for the Messages API: it answers each request with the next scripted reply (by default it
 * streams `echo: <last user text>` in two deltas), records what it was sent, and notes when a client went away
 * before an answer ended.
 */
export const startFakeMessagesApi = () =>
  startScriptedSseServer<Reply>({
    defaultReply: (body) => ({ kind: "stream", events: textEvents(["echo: ", lastUserText(body)]) }),
    answer: onTheWire,
  })

export type FakeMessagesApi = Awaited<ReturnType<typeof startFakeMessagesApi>>
