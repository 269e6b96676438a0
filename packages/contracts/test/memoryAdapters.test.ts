import {
  agentContract,
  agentMemoryContract,
  conversationLeaseContract,
  conversationStoreContract,
  cooldownContract,
  dedupeStoreContract,
  fileStoreContract,
  mediaSourceContract,
  rateWindowContract,
  replyCardContract,
  robotMessengerContract,
  sessionWebhookContract,
  tokenStoreContract,
  transportContract,
} from "@openpollen/contracts"
import {
  AgentFailed,
  CardFailed,
  type MarkdownMessage,
  MemoryAgentMemory,
  MemoryConversationLease,
  MemoryConversationStore,
  MemoryCooldown,
  MemoryDedupeStore,
  MemoryRateWindow,
  MemoryTokenStore,
} from "@openpollen/core"
import {
  makeFakeMediaSource,
  makeFakeReplyCard,
  makeFakeRobotMessenger,
  makeFakeSessionWebhook,
  makeFakeTransport,
  makeMemoryFileStore,
  makeScriptedAgent,
  scriptedChunks,
} from "@openpollen/core/testing"
import { Effect, Stream } from "effect"

tokenStoreContract("MemoryTokenStore", () => MemoryTokenStore.layer)
dedupeStoreContract("MemoryDedupeStore", () => MemoryDedupeStore.layer())
conversationStoreContract("MemoryConversationStore", () => MemoryConversationStore.layer())
agentMemoryContract("MemoryAgentMemory", () => MemoryAgentMemory.layer())
conversationLeaseContract("MemoryConversationLease", () => MemoryConversationLease.layer)
cooldownContract("MemoryCooldown", () => MemoryCooldown.layer())
cooldownContract("MemoryCooldown (2 keys, evicting)", () => MemoryCooldown.layer({ maxKeys: 2 }))
rateWindowContract("MemoryRateWindow", () => MemoryRateWindow.layer)

fileStoreContract("MemoryFileStore (fake)", () => {
  const store = makeMemoryFileStore({ maxBytes: 1024 * 1024 })
  return {
    layer: store.layer,
    root: store.root,
    maxBytes: 1024 * 1024,
    read: async (path) => store.files.get(path) ?? new Uint8Array(),
  }
})

agentContract("ScriptedAgent (fake)", () => {
  const chunks = ["你", "好", "，", "世界"]
  const sent = scriptedChunks(chunks)
  return {
    layer: makeScriptedAgent(() => sent).layer,
    answer: chunks.join(""),
    slow: () =>
      makeScriptedAgent(() => Stream.concat(scriptedChunks(["first"]), scriptedChunks(["never"], "1 hour")))
        .layer,
    failing: () =>
      makeScriptedAgent(() => Effect.fail(new AgentFailed({ reason: "unavailable", message: "down" }))).layer,
  }
})

mediaSourceContract("FakeMediaSource", () => {
  const media = makeFakeMediaSource()
  let counter = 0
  return {
    layer: media.layer,
    register: async (bytes, contentType) => {
      const code = `mIo/fake+${++counter}==`
      media.register(code, bytes, contentType)
      return code
    },
  }
})

sessionWebhookContract("FakeSessionWebhook", () => {
  const webhook = makeFakeSessionWebhook()
  let counter = 0
  return {
    layer: webhook.layer,
    liveWebhook: async () => {
      counter += 1
      return {
        url: `https://oapi.dingtalk.com/robot/sendBySession?session=${counter}`,
        conversationId: `cid${counter}`,
      }
    },
    expire: async (url) => webhook.expire(url),
    received: async (conversationId) =>
      webhook.sent
        .filter((send) => send.url.endsWith(`=${conversationId.slice(3)}`))
        .map((send): MarkdownMessage => send.message),
  }
})

robotMessengerContract("FakeRobotMessenger", () => {
  const messenger = makeFakeRobotMessenger()
  let counter = 0
  return {
    layer: messenger.layer,
    group: async () => `cidGroup${++counter}==`,
    user: async () => `staff-${++counter}`,
    unreachableUser: async () => {
      messenger.rejectStaffIds("staff-unreachable")
      return "staff-unreachable"
    },
    receivedByGroup: async (id) =>
      messenger.sent.flatMap((send) =>
        send.to === "group" && send.openConversationId === id ? [send.message.text] : [],
      ),
    receivedByUser: async (staffId) =>
      messenger.sent.flatMap((send) =>
        send.to === "users" && send.staffIds.includes(staffId) ? [send.message.text] : [],
      ),
  }
})

replyCardContract("FakeReplyCard", () => {
  const cards = makeFakeReplyCard()
  const noTemplate = makeFakeReplyCard()
  noTemplate.failNext(
    "create",
    new CardFailed({ reason: "template", status: 400, retryable: false, message: "no such template" }),
  )
  let counter = 0
  return {
    layer: cards.layer,
    unknownTemplateLayer: noTemplate.layer,
    group: async () => `cidGroup${++counter}==`,
    user: async () => `staff-${++counter}`,
    unreachableUser: async () => {
      cards.rejectStaffIds("staff-unreachable")
      return "staff-unreachable"
    },
    card: async (outTrackId) => {
      const card = cards.cards.get(outTrackId)
      return card === undefined
        ? undefined
        : {
            content: card.content,
            finalized: card.finalized,
            error: card.error,
            updates: card.updates.length,
          }
    },
    denyStreamingOnce: async () =>
      cards.failNext(
        "stream",
        new CardFailed({
          reason: "permission",
          status: 403,
          permission: "Card.Streaming.Write",
          retryable: false,
          message: "missing Card.Streaming.Write",
        }),
      ),
    throttleOnce: async () =>
      cards.failNext(
        "stream",
        new CardFailed({
          reason: "qps",
          status: 403,
          retryable: true,
          retryAfterMs: 1000,
          message: "QpsLimit",
        }),
      ),
  }
})

transportContract("FakeTransport", () => {
  const fake = Effect.runSync(makeFakeTransport)
  return { layer: fake.layer, deliver: (data) => Effect.runPromise(fake.push(data)) }
})
