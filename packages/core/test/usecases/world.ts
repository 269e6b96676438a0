import {
  ChannelMetrics,
  ChannelSettings,
  type ChannelSettingsShape,
  decodeFrame,
  handleMessage,
  type InboundFrame,
  MemoryDedupeStore,
} from "@openpollen/core"
import {
  makeFakeMediaSource,
  makeFakeReplyCard,
  makeFakeRobotMessenger,
  makeFakeSessionWebhook,
  makeMemoryFileStore,
  makeScriptedAgent,
} from "@openpollen/core/testing"
import { Effect, Layer, Result } from "effect"
import { loadFixture } from "../fixtures/loadFixture.js"

export const settings: ChannelSettingsShape = {
  robotCode: "dingx7k2m9q4w1e8r3t6",
  groupPolicy: "mention",
  allowlists: {},
  webhookExpiryMarginMs: 300_000,
  maxConcurrentConversations: 4,
  maxReplyChars: 18_000,
}

/** Every port faked, ready to provide to handleMessage or the runner. */
export const makeWorld = (
  overrides: Partial<ChannelSettingsShape> = {},
  shared: { readonly cards?: ReturnType<typeof makeFakeReplyCard> } = {},
) => {
  const webhook = makeFakeSessionWebhook()
  const messenger = makeFakeRobotMessenger()
  const media = makeFakeMediaSource()
  const files = makeMemoryFileStore()
  const agent = makeScriptedAgent()
  const cards = shared.cards ?? makeFakeReplyCard()
  const layer = Layer.mergeAll(
    cards.layer,
    webhook.layer,
    messenger.layer,
    media.layer,
    files.layer,
    agent.layer,
    MemoryDedupeStore.layer(),
    ChannelMetrics.layer,
    Layer.succeed(ChannelSettings, ChannelSettings.of({ ...settings, ...overrides })),
  )
  return { webhook, messenger, media, files, agent, cards, layer }
}

export type World = ReturnType<typeof makeWorld>

export const frame = (data: unknown, frameMessageId = "frame-1") => ({ frameMessageId, data, receivedAt: 0 })

export const payload = (name: string, overrides: Record<string, unknown> = {}) => ({
  ...loadFixture(name),
  ...overrides,
})

/** What the runner does with a frame: decode it once, then handle the message. */
export const handleFrame = (inbound: InboundFrame) =>
  Effect.flatMap(decodeFrame(inbound), (decoded) =>
    Result.isSuccess(decoded) ? handleMessage(decoded.success) : Effect.succeed(decoded.failure),
  )

export const handle = (data: unknown, frameMessageId?: string) => handleFrame(frame(data, frameMessageId))
