import type { DeadLetter } from "@openpollen/core"
import type { ResolvedConfig } from "../config/ResolvedConfig.js"
import { callGateway } from "./gatewayClient.js"
import { complain, EXIT, paint, say, UsageError } from "./output.js"

const notRunning = (config: ResolvedConfig) => {
  complain(
    `the bot is not running (no gateway API at ${config.gateway.host}:${config.gateway.port}); dead letters are read through it: start it with openpollen start`,
  )
  return EXIT.failure
}

const errorOf = (answer: { status: number; body: unknown }) =>
  (answer.body as { error?: string } | undefined)?.error ?? `HTTP ${answer.status}`

const time = (epochMs: number) => (epochMs > 0 ? new Date(epochMs).toISOString() : "-")

/**
 * `openpollen deadletters list|retry <id>|drop <id>`: through the running bot's gateway, which holds the store (the
 * SQLite file is locked by the bot; the Redis connection and its key prefix are the bot's).
 */
export const deadletters = async (
  config: ResolvedConfig,
  action: string | undefined,
  id: string | undefined,
): Promise<number> => {
  if (action === "list") {
    const answer = await callGateway(config, "/api/deadletters?limit=1000")
    if (answer === undefined) return notRunning(config)
    if (answer.status !== 200) {
      complain(`deadletters: ${errorOf(answer)}`)
      return EXIT.failure
    }
    const { count, deadLetters } = answer.body as {
      count: number
      deadLetters: ReadonlyArray<DeadLetter & { readonly account?: string }>
    }
    // With several accounts each letter names the robot it came to.
    const accounts = deadLetters.some((letter) => letter.account !== undefined)
    const idWidth = Math.max(19, ...deadLetters.map((letter) => letter.id.length))
    say(
      paint.bold(
        `${"ID".padEnd(idWidth)} MSG ID                          CONVERSATION                    DELIVERIES  RECEIVED                  GIVEN UP${accounts ? "                  ACCOUNT" : ""}`,
      ),
    )
    for (const letter of deadLetters)
      say(
        [
          letter.id.padEnd(idWidth),
          (letter.msgId ?? "-").padEnd(31),
          (letter.conversationId ?? "-").padEnd(31),
          String(letter.deliveries).padEnd(11),
          time(letter.receivedAt).padEnd(25),
          accounts ? `${time(letter.deadAt).padEnd(25)} ${letter.account ?? "-"}` : time(letter.deadAt),
        ].join(" "),
      )
    say(
      `${count} dead letter(s)${count > deadLetters.length ? `, the oldest ${deadLetters.length} shown` : ""}`,
    )
    return EXIT.ok
  }
  if (action !== "retry" && action !== "drop")
    throw new UsageError(`unknown deadletters subcommand "${action ?? ""}" (list, retry <id>, drop <id>)`)
  if (id === undefined || id === "")
    throw new UsageError(`deadletters ${action} needs the id shown by deadletters list`)
  const answer = await callGateway(config, `/api/deadletters/${action}`, { id })
  if (answer === undefined) return notRunning(config)
  if (answer.status !== 200) {
    complain(`deadletters ${action}: ${errorOf(answer)}`)
    return EXIT.failure
  }
  say(action === "retry" ? `${id}: back in the journal; the bot answers it shortly` : `${id}: dropped`)
  return EXIT.ok
}
