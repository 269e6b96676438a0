import { decodePendingMedia, encodePendingMedia, type PendingMedia } from "@openpollen/core"
import { describe, expect, it } from "vitest"

describe("pending media in a journal", () => {
  const media: ReadonlyArray<PendingMedia> = [
    { _tag: "Local", kind: "image", fileName: "图表.png", path: "out/图表.png" },
    { _tag: "Remote", fileName: "photo.jpg", url: "https://example.com/photo.jpg" },
  ]

  it("comes back as it was kept", () => {
    expect(decodePendingMedia(encodePendingMedia(media))).toEqual(media)
    expect(decodePendingMedia(encodePendingMedia([]))).toEqual([])
  })

  it("is undefined when the text is not such a list", () => {
    for (const text of [
      "",
      "{",
      "null",
      "1",
      '{"_tag":"Local"}',
      '[{"_tag":"Local","kind":"video","fileName":"a","path":"b"}]',
    ])
      expect(decodePendingMedia(text), text).toBeUndefined()
  })
})
