import { statSync } from "node:fs"
import { resolve } from "node:path"
import { performance } from "node:perf_hooks"
import type { Simulator } from "@openpollen/simulator"
import type { RunningBot } from "../bots.js"
import type { Chat } from "../ReplyTracker.js"

export interface DownloadResult {
  readonly rssDeltaMb: number
  readonly elapsedMs: number
}

const JPEG_START = new Uint8Array([0xff, 0xd8, 0xff, 0xe0])

/**
 * A picture message whose downloadCode serves `bytes` generated on the fly. The echo agent answers with the saved
 * file's path, which must hold every byte. RSS delta is the bot's peak during the download minus its RSS before.
 */
export const measureDownload = async (
  sim: Simulator,
  bot: RunningBot,
  chat: Chat,
  bytes: number,
): Promise<DownloadResult> => {
  const downloadCode = sim.registerGeneratedMedia(bytes, "image/jpeg")
  const rssBefore = bot.rssMb()
  bot.resetPeak()
  const startedAt = performance.now()
  await sim.sendPicture(chat.conversation, chat.user, JPEG_START, {
    clientId: bot.app.clientId,
    overrides: { content: { downloadCode } },
  })
  const reply = await sim.nextReply(chat.conversation.id, { timeoutMs: 120_000 })
  const elapsedMs = performance.now() - startedAt
  // The echo agent names the saved file relative to the uploads folder.
  const named = reply.text.trim().split("\n").at(-1)?.trim() ?? ""
  if (bot.uploadsDir === undefined || named === "")
    throw new Error(`the download reply names no file: ${reply.text.slice(0, 200)}`)
  const saved = statSync(resolve(bot.uploadsDir, named), { throwIfNoEntry: false })?.size
  if (saved === undefined) throw new Error(`no saved file ${named} in the uploads folder`)
  if (saved !== bytes) throw new Error(`saved ${saved} bytes of ${bytes}`)
  return { rssDeltaMb: bot.peakRssMb() - rssBefore, elapsedMs }
}
