/** The part of a file handle `writeFully` needs; `FileHandle` from `node:fs/promises` is one. */
export interface WritableHandle {
  readonly write: (
    buffer: Uint8Array,
    offset?: number,
    length?: number,
  ) => Promise<{ readonly bytesWritten: number }>
}

/** Writes every byte of `chunk`: a write may take only part of it (a full disk, a pipe), so the rest is written again. */
export const writeFully = async (handle: WritableHandle, chunk: Uint8Array): Promise<void> => {
  let offset = 0
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset)
    if (!(bytesWritten > 0)) throw new Error("a write made no progress")
    offset += bytesWritten
  }
}
