import { readFile } from "node:fs/promises"
import {
  Agent,
  AgentEvent,
  AgentFailed,
  AgentMemory,
  type AgentRequest,
  type AgentTurn,
} from "@openpollen/core"
import { Effect, Layer, Redacted, Result, Schedule, Schema, Stream } from "effect"
import ky, { HTTPError, isNetworkError, TimeoutError } from "ky"
import type { ResolvedOpenAi } from "../config/ResolvedConfig.js"

type Part =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "image_url"; readonly image_url: { readonly url: string } }
interface ChatMessage {
  readonly role: "system" | "user" | "assistant"
  readonly content: string | ReadonlyArray<Part>
}

const Completion = Schema.Struct({
  choices: Schema.NonEmptyArray(
    Schema.Struct({ message: Schema.Struct({ content: Schema.NullOr(Schema.String) }) }),
  ),
})

const MAX_IMAGE_BYTES = 8 * 1024 * 1024
/**
 * A request the endpoint closed before answering (a keep-alive socket it had just timed out, a restart) never reached
 * the model or got nothing back: sent again twice, shortly. Timeouts and HTTP errors are not retried.
 */
const UNANSWERED_RETRY = { times: 2, schedule: Schedule.exponential("200 millis").pipe(Schedule.jittered) }

const imagePart = async (path: string, contentType: string | undefined): Promise<Part | undefined> => {
  const bytes = await readFile(path).catch(() => undefined)
  if (bytes === undefined || bytes.length > MAX_IMAGE_BYTES) return undefined
  return {
    type: "image_url",
    image_url: { url: `data:${contentType ?? "image/png"};base64,${bytes.toString("base64")}` },
  }
}

const userMessage = async (request: AgentRequest): Promise<ChatMessage> => {
  const text = request.quotedText === undefined ? request.text : `> ${request.quotedText}\n\n${request.text}`
  const images = await Promise.all(
    request.attachments
      .filter((attachment) => attachment.kind === "picture")
      .map((attachment) => imagePart(attachment.path, attachment.contentType)),
  )
  const parts = images.filter((part) => part !== undefined)
  const others = request.attachments
    .filter((attachment) => attachment.kind !== "picture")
    .map((attachment) => `[${attachment.kind}: ${attachment.fileName ?? attachment.path}]`)
  const fullText = [text, ...others].filter((line) => line !== "").join("\n")
  return parts.length === 0
    ? { role: "user", content: fullText }
    : { role: "user", content: [{ type: "text", text: fullText }, ...parts] }
}

const failure = (error: unknown, timeoutMs: number): AgentFailed => {
  if (error instanceof TimeoutError)
    return new AgentFailed({ reason: "timeout", message: `the model did not answer within ${timeoutMs} ms` })
  if (error instanceof HTTPError) {
    const status = error.response.status
    return new AgentFailed({
      reason:
        status === 401 || status === 403 || status === 400 || status === 404 ? "rejected" : "unavailable",
      message: `the model endpoint answered HTTP ${status}`,
    })
  }
  return new AgentFailed({ reason: "unavailable", message: "the model endpoint is unreachable" })
}

/**
 * Any OpenAI-compatible chat-completions endpoint, with bounded multi-turn history per session kept in the
 * AgentMemory (so another instance sharing it continues the conversation).
 */
export const makeOpenAiAgent = (config: ResolvedOpenAi) =>
  Effect.gen(function* () {
    const memory = yield* AgentMemory
    const endpoint = `${config.baseUrl.replace(/\/+$/, "")}/chat/completions`
    return Agent.of({
      respond: (request) =>
        Effect.gen(function* () {
          const question = yield* Effect.promise(() => userMessage(request))
          const history = yield* memory.load(request.sessionKey).pipe(
            Effect.mapError(
              (error) =>
                new AgentFailed({
                  reason: "unavailable",
                  message: `the conversation history is unavailable (${error.message})`,
                }),
            ),
          )
          const system: Array<ChatMessage> =
            config.systemPrompt === undefined ? [] : [{ role: "system", content: config.systemPrompt }]
          const previous = history.map((turn): ChatMessage => ({ role: turn.role, content: turn.text }))
          const answer = yield* Effect.tryPromise({
            try: (signal) =>
              ky
                .post(endpoint, {
                  json: { model: config.model, messages: [...system, ...previous, question] },
                  headers:
                    config.apiKey === undefined
                      ? {}
                      : { authorization: `Bearer ${Redacted.value(config.apiKey)}` },
                  timeout: config.timeoutMs,
                  retry: 0,
                  signal,
                })
                .json<unknown>(),
            catch: (error) => error,
          }).pipe(
            Effect.retry({ ...UNANSWERED_RETRY, while: (error) => isNetworkError(error) }),
            Effect.mapError((error) => failure(error, config.timeoutMs)),
          )
          const decoded = Schema.decodeUnknownResult(Completion)(answer)
          if (Result.isFailure(decoded))
            return yield* new AgentFailed({
              reason: "internal",
              message: "the model answered in an unexpected shape",
            })
          const markdown = decoded.success.choices[0].message.content ?? ""
          if (markdown.trim() === "")
            return yield* new AgentFailed({ reason: "internal", message: "the model answered with nothing" })
          const turns: ReadonlyArray<AgentTurn> = [
            { role: "user", text: typeof question.content === "string" ? question.content : request.text },
            { role: "assistant", text: markdown },
          ]
          // The answer goes out even when it cannot be remembered: the next turn then lacks this one.
          yield* memory
            .append(request.sessionKey, turns, config.maxHistoryMessages)
            .pipe(
              Effect.catch((error) =>
                Effect.logWarning("could not remember the turn in the conversation history").pipe(
                  Effect.annotateLogs({ error: error.message }),
                ),
              ),
            )
          return AgentEvent.textDelta(markdown)
        }).pipe(Stream.fromEffect),
      reset: (sessionKey) =>
        memory.reset(sessionKey).pipe(
          Effect.mapError(
            (error) =>
              new AgentFailed({
                reason: "unavailable",
                message: `the conversation history could not be cleared (${error.message})`,
              }),
          ),
        ),
    })
  })

export const OpenAiAgent = {
  /** Needs an AgentMemory. */
  layer: (config: ResolvedOpenAi) => Layer.effect(Agent, makeOpenAiAgent(config)),
}
