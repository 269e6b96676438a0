import { ids } from "./ids.js"

/** A robot callback pushed (or waiting for a connection) until the bot ACKs it or redeliveries run out. */
export interface PendingCallback {
  readonly clientId: string
  readonly msgId: string
  readonly data: string
  readonly firstPushedAt: number
  readonly acked: Promise<void>
  readonly markAcked: () => void
  frameMessageId: string
  attempts: number
  done: boolean
  timer?: NodeJS.Timeout
}

export const newPendingCallback = (clientId: string, msgId: string, data: string): PendingCallback => {
  let markAcked = () => {}
  const acked = new Promise<void>((resolve) => {
    markAcked = resolve
  })
  return {
    clientId,
    msgId,
    data,
    firstPushedAt: Date.now(),
    acked,
    markAcked,
    frameMessageId: ids.frameMessageId(),
    attempts: 0,
    done: false,
  }
}
