import { isAbsolute, relative } from "node:path"
import { Agent, AgentEvent, type AgentRequest } from "@openpollen/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"

export interface EchoAgentConfig {
  /** Saved files are shown relative to this folder; absolute when absent or when a file lies outside it. */
  readonly uploadsDir?: string
  /** A pause before each chunk, so a streaming reply can be watched. Default 0. */
  readonly chunkDelayMs?: number
}

export const EMPTY_ECHO = "（空消息）"

const shownPath = (path: string, uploadsDir: string | undefined) => {
  if (uploadsDir === undefined) return path
  const inside = relative(uploadsDir, path)
  return inside === "" || inside.startsWith("..") || isAbsolute(inside) ? path : inside
}

/**
 * The echo's chunks: a quote first, as a `>` line with its text and the paths of its files; then the text; then each
 * of the message's own saved files on its own line.
 */
export const echoChunks = (request: AgentRequest, uploadsDir?: string): ReadonlyArray<string> => {
  const quotedFiles = request.attachments.filter((attachment) => attachment.quoted === true)
  const ownFiles = request.attachments.filter((attachment) => attachment.quoted !== true)
  const quote = [request.quotedText ?? "", ...quotedFiles.map((file) => shownPath(file.path, uploadsDir))]
    .filter((part) => part !== "")
    .join(" ")
  const lines = [
    quote === "" ? "" : `> ${quote.replace(/\n/g, " ")}`,
    request.text,
    ...ownFiles.map((attachment) => shownPath(attachment.path, uploadsDir)),
  ].filter((line) => line !== "")
  return lines.length === 0 ? [EMPTY_ECHO] : lines.map((line, index) => (index === 0 ? line : `\n\n${line}`))
}

export const makeEchoAgent = (config: EchoAgentConfig = {}) => {
  const delayMs = config.chunkDelayMs ?? 0
  return Agent.of({
    respond: (request) => {
      const events = echoChunks(request, config.uploadsDir).map(AgentEvent.textDelta)
      return delayMs > 0
        ? Stream.mapEffect(Stream.fromIterable(events), (event) => Effect.as(Effect.sleep(delayMs), event))
        : Stream.fromIterable(events)
    },
    reset: () => Effect.void,
  })
}

/** Replies with the user's text and, for each saved file, its path on its own line, in chunks. */
export const EchoAgent = {
  layer: (config: EchoAgentConfig = {}) => Layer.succeed(Agent, makeEchoAgent(config)),
}
