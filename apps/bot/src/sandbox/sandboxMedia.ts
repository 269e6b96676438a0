import type { ReceivedMedia } from "@openpollen/simulator"

const escapeAttribute = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)

const readableSize = (bytes: number) =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} KB`
      : `${(bytes / 1024 / 1024).toFixed(1)} MB`

/** A media message as the chat shows it: an image inline, a file as a download link with its name and size. */
export const mediaHtml = (media: ReceivedMedia): string => {
  const url = escapeAttribute(media.url)
  if (media.kind === "image") return `<img class="sent" src="${url}" alt="image">`
  const name = escapeAttribute(media.fileName ?? "file")
  const size = media.size === undefined ? "" : ` <span class="size">${readableSize(media.size)}</span>`
  return `<a class="file" href="${url}" download="${name}">📎 ${name}</a>${size}`
}

/** The page's policy: its own scripts and styles, plus images from the simulator (uploads) and https (linked ones). */
export const sandboxContentPolicy = (simulatorUrl: string) =>
  `default-src 'self' 'unsafe-inline' data:; img-src 'self' data: https: ${simulatorUrl}`
