import { Marked } from "marked"

const escapeHtml = (text: string) =>
  text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;")

const LINE_BREAK = /^<br\s*\/?>$/i

// A card joins a paragraph's lines unless a `<br>` breaks them; a robot message breaks at every newline.
const markedFor = (allowLineBreaks: boolean) =>
  new Marked({
    gfm: true,
    breaks: !allowLineBreaks,
    renderer: {
      html: ({ text }) => (allowLineBreaks && LINE_BREAK.test(text) ? "<br>" : escapeHtml(text)),
      link: ({ href, text }) =>
        /^https?:\/\//i.test(href)
          ? `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${escapeHtml(text)}</a>`
          : escapeHtml(text),
      image: ({ href, text }) => `<span class="img-ref">[图片 ${escapeHtml(text || href)}]</span>`,
    },
  })

const markdown = markedFor(false)
const cardMarkdown = markedFor(true)

/** Bot replies are untrusted: raw HTML is shown as text, only http(s) links survive, images become labels. */
export const renderMarkdown = (text: string): string => markdown.parse(text, { async: false })

/** An AI card's content: the same rules, as DingTalk's card renderer reads them: only `<br>` breaks a line in a paragraph. */
export const renderCardMarkdown = (text: string): string => cardMarkdown.parse(text, { async: false })

export { escapeHtml }
