import { Marked } from "marked"

const escapeHtml = (text: string) =>
  text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;")

const marked = new Marked({
  gfm: true,
  breaks: true,
  renderer: {
    html: ({ text }) => escapeHtml(text),
    link: ({ href, text }) =>
      /^https?:\/\//i.test(href)
        ? `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${escapeHtml(text)}</a>`
        : escapeHtml(text),
    image: ({ href, text }) => `<span class="img-ref">[图片 ${escapeHtml(text || href)}]</span>`,
  },
})

/** Bot replies are untrusted: raw HTML is shown as text, only http(s) links survive, images become labels. */
export const renderMarkdown = (markdown: string): string => marked.parse(markdown, { async: false })

export { escapeHtml }
