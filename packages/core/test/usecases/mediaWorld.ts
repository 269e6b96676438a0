import { makeFakeMediaSink, makeMemoryMediaFiles } from "@openpollen/core/testing"
import { Layer } from "effect"
import { makeWorld } from "./world.js"

export const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])
export const PDF = new Uint8Array([0x25, 0x50, 0x44, 0x46, 4, 5, 6])
/** An answer naming the chart and the report the media world holds. */
export const ANSWER = "图表如下：\n![图表](/ws/chart.png)\n完整报告：[报告](/ws/report.pdf)"

/** The world with a MediaSink and allowed files: `/ws/chart.png` and `/ws/report.pdf`. */
export const mediaWorld = (overrides: Parameters<typeof makeWorld>[0] = {}) => {
  const world = makeWorld(overrides)
  const sink = makeFakeMediaSink()
  const files = makeMemoryMediaFiles()
  files.add("/ws/chart.png", PNG)
  files.add("/ws/report.pdf", PDF)
  const layer = Layer.mergeAll(world.layer, sink.layer, files.layer)
  return { ...world, sink, mediaFiles: files, layer }
}
