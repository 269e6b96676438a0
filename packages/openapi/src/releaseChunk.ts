import { isReadBuffer } from "./ReadBufferAgents.js"

type Detachable = ArrayBuffer & { transfer: (newLength: number) => ArrayBuffer }

/**
 * Frees a body chunk the consumer is done with now rather than at V8's next GC, which runs only once about 32 MB of
 * such buffers piled up. Only a chunk that is its whole buffer is freed: a view into shared memory is left alone.
 */
export const releaseChunk = (chunk: Uint8Array): void => {
  const buffer = chunk.buffer
  if (!(buffer instanceof ArrayBuffer) || isReadBuffer(buffer)) return
  if (chunk.byteOffset !== 0 || chunk.byteLength !== buffer.byteLength || buffer.byteLength === 0) return
  ;(buffer as Detachable).transfer(0)
}
