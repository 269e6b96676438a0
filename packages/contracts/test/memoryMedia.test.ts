import { mediaFilesContract, mediaSinkContract, type ReceivedMediaMessage } from "@openpollen/contracts"
import { type MediaSend, makeFakeMediaSink, makeMemoryMediaFiles } from "@openpollen/core/testing"

mediaFilesContract("MemoryMediaFiles", () => {
  const files = makeMemoryMediaFiles()
  return {
    layer: files.layer,
    addFile: async (name, bytes) => {
      files.add(`/ws/${name}`, bytes)
      return `/ws/${name}`
    },
    missingPath: async () => {
      files.addMissing("/ws/gone.pdf")
      return "/ws/gone.pdf"
    },
    outsidePath: async () => "/etc/passwd",
  }
})

mediaSinkContract("FakeMediaSink", () => {
  const sink = makeFakeMediaSink()
  let counter = 0
  const shown = (send: MediaSend): ReceivedMediaMessage => {
    const { message } = send
    const reference = message._tag === "Image" ? message.photoURL : message.mediaId
    const upload = sink.uploads.find((candidate) => candidate.mediaId === reference)
    const base = upload === undefined ? { url: reference } : { bytes: upload.bytes }
    return message._tag === "Image"
      ? { kind: "image", ...base }
      : { kind: "file", ...base, fileName: message.fileName, fileType: message.fileType }
  }
  return {
    layer: sink.layer,
    group: async () => `cidGroup${++counter}==`,
    user: async () => `staff${++counter}`,
    receivedByGroup: async (id) =>
      sink.sent.filter((send) => send.to === "group" && send.openConversationId === id).map(shown),
    receivedByUser: async (staffId) =>
      sink.sent.filter((send) => send.to === "users" && send.staffIds.includes(staffId)).map(shown),
  }
})
