import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as References from "effect/References"
import { writeStderrLine } from "./batchedStderr.js"
import { makeRedactor } from "./redact.js"

export type LogLevelName = "debug" | "info" | "warning" | "error"

const MINIMUM: Record<LogLevelName, "Debug" | "Info" | "Warn" | "Error"> = {
  debug: "Debug",
  info: "Info",
  warning: "Warn",
  error: "Error",
}

const COLOURS: Record<string, string> = {
  DEBUG: "\x1b[90m",
  INFO: "\x1b[36m",
  WARN: "\x1b[33m",
  ERROR: "\x1b[31m",
  FATAL: "\x1b[31m",
}

const messageText = (message: unknown): string =>
  Array.isArray(message)
    ? message.map((part) => (typeof part === "string" ? part : JSON.stringify(part))).join(" ")
    : String(message)

/**
 * Structured logs on stderr: JSON lines when stderr is not a terminal, a readable coloured line when it is.
 * Every line goes through the redactor, so registered secrets and webhook sessions never leave the process.
 */
export const botLoggerLayer = (options: {
  readonly level: LogLevelName
  readonly secrets: ReadonlyArray<string>
  readonly pretty?: boolean
}) => {
  const redact = makeRedactor(options.secrets)
  const pretty = options.pretty ?? process.stderr.isTTY === true
  const logger = Logger.map(Logger.formatStructured, (entry) => {
    const line = pretty
      ? `${entry.timestamp.slice(11, 19)} ${COLOURS[entry.level] ?? ""}${entry.level.padEnd(5)}\x1b[0m ${messageText(entry.message)}${
          Object.keys(entry.annotations).length === 0
            ? ""
            : ` \x1b[90m${Object.entries(entry.annotations)
                .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
                .join(" ")}\x1b[0m`
        }${entry.cause === undefined ? "" : `\n${entry.cause}`}`
      : JSON.stringify({ ...entry, message: messageText(entry.message) })
    writeStderrLine(redact(line))
  })
  return Layer.mergeAll(
    Logger.layer([logger]),
    Layer.succeed(References.MinimumLogLevel, MINIMUM[options.level]),
  )
}
