import {
  agentContract,
  agentMemoryContract,
  conversationLeaseContract,
  conversationStoreContract,
  cooldownContract,
  dedupeStoreContract,
  fileStoreContract,
  mediaSourceContract,
  robotMessengerContract,
  sessionWebhookContract,
  tokenStoreContract,
} from "@openpollen/contracts"
import {
  type MarkdownMessage,
  MemoryAgentMemory,
  MemoryConversationLease,
  MemoryConversationStore,
  MemoryCooldown,
  MemoryDedupeStore,
  MemoryTokenStore,
} from "@openpollen/core"
import {
  makeFakeMediaSource,
  makeFakeRobotMessenger,
  makeFakeSessionWebhook,
  makeMemoryFileStore,
  makeScriptedAgent,
} from "@openpollen/core/testing"

tokenStoreContract("MemoryTokenStore", () => MemoryTokenStore.layer)
dedupeStoreContract("MemoryDedupeStore", () => MemoryDedupeStore.layer())
conversationStoreContract("MemoryConversationStore", () => MemoryConversationStore.layer())
agentMemoryContract("MemoryAgentMemory", () => MemoryAgentMemory.layer())
conversationLeaseContract("MemoryConversationLease", () => MemoryConversationLease.layer)
cooldownContract("MemoryCooldown", () => MemoryCooldown.layer())
cooldownContract("MemoryCooldown (2 keys, evicting)", () => MemoryCooldown.layer({ maxKeys: 2 }))

fileStoreContract("MemoryFileStore (fake)", () => {
  const store = makeMemoryFileStore({ maxBytes: 1024 * 1024 })
  return {
    layer: store.layer,
    root: store.root,
    maxBytes: 1024 * 1024,
    read: async (path) => store.files.get(path) ?? new Uint8Array(),
  }
})

agentContract("ScriptedAgent (fake)", () => makeScriptedAgent().layer)

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
