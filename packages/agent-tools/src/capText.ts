export const MAX_TEXT_BYTES = 100 * 1024

/** Text longer than `maxBytes` (UTF-8) is cut at a character boundary, with a note saying so. */
export const capText = (text: string, maxBytes = MAX_TEXT_BYTES): string => {
  const bytes = new TextEncoder().encode(text)
  if (bytes.length <= maxBytes) return text
  const kept = new TextDecoder().decode(bytes.subarray(0, maxBytes), { stream: true })
  return `${kept}\n\n[cut: showing the first ${maxBytes} of ${bytes.length} bytes]`
}
