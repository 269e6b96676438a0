import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type BotProcess, startCli } from "../e2e/harness/BotProcess.js"

interface PageEvent {
  readonly kind?: string
  readonly status?: string
  readonly html: string
}

/** Reads the page's event stream until `done` accepts an event. */
const readEvents = async (url: string, done: (event: PageEvent) => boolean): Promise<Array<PageEvent>> => {
  const events: Array<PageEvent> = []
  const response = await fetch(url, { signal: AbortSignal.timeout(15_000) })
  const decoder = new TextDecoder()
  let buffer = ""
  for await (const chunk of response.body ?? []) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true })
    const frames = buffer.split("\n\n")
    buffer = frames.pop() ?? ""
    for (const frame of frames.filter((line) => line.startsWith("data: "))) {
      const event = JSON.parse(frame.slice("data: ".length)) as PageEvent
      events.push(event)
      if (done(event)) return events
    }
  }
  return events
}

describe("`openpollen start` without credentials, replyMode card, an org's own card template and a slow echo", () => {
  let bot: BotProcess
  let base = ""

  beforeAll(async () => {
    bot = await startCli({
      channels: { dingtalk: { replyMode: "card", card: { templateId: "org-own-template.schema" } } },
      agent: { provider: "echo", echo: { chunkDelayMs: 600 } },
      gateway: { port: 0 },
      sandbox: { port: 0 },
    })
    await bot.waitFor(/sandbox: open (http:\/\/\S+)/)
    await bot.waitFor(/dingtalk: connected/)
    base = /sandbox: open (http:\/\/\S+)/.exec(bot.stdout())?.[1] ?? ""
  })

  afterAll(async () => {
    expect(await bot?.stop()).toBe(0)
  })

  it("answers the page in an AI card that streams (the local DingTalk publishes the template), not in Markdown", async () => {
    const { users } = (await (await fetch(`${base}sandbox/api/state`)).json()) as {
      users: Array<{ dingtalkId: string }>
    }
    const userId = users[0]?.dingtalkId ?? ""
    const { conversations } = (await (
      await fetch(`${base}sandbox/api/conversations?user=${encodeURIComponent(userId)}`)
    ).json()) as { conversations: Array<{ id: string; kind: string }> }
    const dm = conversations.find((conversation) => conversation.kind === "dm")
    const events = readEvents(
      `${base}sandbox/api/events`,
      (event) => event.kind !== "card" || event.status === "FINISHED",
    )
    await new Promise((resolve) => setTimeout(resolve, 200))
    const sent = await fetch(`${base}sandbox/api/send`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ conversationId: dm?.id, userId, text: "卡片模式", quote: { text: "先引用" } }),
    })
    expect(sent.status).toBe(200)
    const seen = await events
    expect(seen.every((event) => event.kind === "card")).toBe(true)
    expect(seen.at(-1)?.html).toContain("卡片模式")
    const partial = seen.find((event) => event.status === "INPUTING")
    expect(partial?.html).toContain("先引用")
    expect(partial?.html).not.toContain("卡片模式")
  })
})
