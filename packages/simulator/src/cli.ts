import { parseArgs } from "node:util"
import { startSimulator } from "./startSimulator.js"

const HELP = `dingtalk-simulator — a local DingTalk (Stream gateway, Open API, session webhooks) on 127.0.0.1

Usage: dingtalk-simulator [--port 18900] [--ping-interval 30000] [--redelivery-timeout 60000]

Point a bot's apiBase and oapiBase at the printed URL and use the printed app credentials.
Options:
  --port N                 port on 127.0.0.1 (default 18900; 0 picks a free one)
  --ping-interval MS       SYSTEM ping cadence (default 30000)
  --redelivery-timeout MS  redeliver un-ACKed callbacks after this long (default 60000)
  -h, --help               show this help`

const main = async () => {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "18900" },
      "ping-interval": { type: "string" },
      "redelivery-timeout": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  })
  if (values.help) {
    console.log(HELP)
    return
  }
  const number = (value: string | undefined, name: string) => {
    if (value === undefined) return undefined
    const parsed = Number(value)
    if (!Number.isInteger(parsed) || parsed < 0)
      throw new Error(`--${name} expects a whole number, got "${value}"`)
    return parsed
  }
  const pingIntervalMs = number(values["ping-interval"], "ping-interval")
  const redeliveryTimeoutMs = number(values["redelivery-timeout"], "redelivery-timeout")
  const simulator = await startSimulator({
    port: number(values.port, "port") ?? 18900,
    ...(pingIntervalMs === undefined ? {} : { pingIntervalMs }),
    ...(redeliveryTimeoutMs === undefined ? {} : { redeliveryTimeoutMs }),
  })
  console.log(`DingTalk simulator listening on ${simulator.url}`)
  console.log(`  apiBase / oapiBase: ${simulator.url}`)
  console.log(`  clientId:     ${simulator.app.clientId}`)
  console.log(`  clientSecret: ${simulator.app.clientSecret} (a local test credential)`)
  simulator.onReply((reply) =>
    console.log(
      `reply via ${reply.via} to ${reply.conversationId}: ${reply.text.slice(0, 80).replace(/\n/g, " ")}`,
    ),
  )
  const stop = async () => {
    await simulator.close()
    process.exit(0)
  }
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error))
  process.exit(2)
})
