import { writeStderrLine } from "./batchedStderr.js"

/**
 * An error the operator must see while the bot runs, on stderr with the logs: a JSON log line when the logs are JSON
 * (stderr is not a terminal), so a log collector never meets a line it cannot parse; plain text on a terminal.
 */
export const formatErrorLine = (message: string, json: boolean, now = new Date()): string =>
  json ? JSON.stringify({ message, level: "ERROR", timestamp: now.toISOString(), annotations: {} }) : message

export const writeErrorLine = (message: string): void =>
  writeStderrLine(formatErrorLine(message, process.stderr.isTTY !== true))
