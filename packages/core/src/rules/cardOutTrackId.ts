const fnv1a = (text: string, seed: number): string => {
  let hash = seed >>> 0
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash.toString(16).padStart(8, "0")
}

const SEEDS = [0x811c9dc5, 0x050c5d1f, 0x2a9f3c61, 0x6b43a9b5]

/**
 * The card of one inbound message: the same robotCode and msgId always give the same outTrackId (a retry or a
 * restart never opens a second card), in characters any API accepts.
 */
export const cardOutTrackId = (robotCode: string, msgId: string): string => {
  const key = `${robotCode}\u0000${msgId}`
  return `op_${SEEDS.map((seed) => fnv1a(key, seed)).join("")}`
}
