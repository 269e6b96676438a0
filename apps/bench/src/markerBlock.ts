/**
 * Replaces what stands between `<!-- NAME -->` and `<!-- /NAME -->` in a Markdown text, keeping the markers; fails
 * when either marker is missing, so a renamed section is noticed instead of silently left stale.
 */
export const replaceMarkerBlock = (markdown: string, name: string, content: string): string => {
  const open = `<!-- ${name} -->`
  const close = `<!-- /${name} -->`
  const start = markdown.indexOf(open)
  const end = markdown.indexOf(close, start + open.length)
  if (start < 0 || end < 0) throw new Error(`no "${open}" … "${close}" block to fill`)
  return `${markdown.slice(0, start + open.length)}\n${content.trim()}\n${markdown.slice(end)}`
}

export const hasMarkerBlock = (markdown: string, name: string): boolean =>
  markdown.includes(`<!-- ${name} -->`) && markdown.includes(`<!-- /${name} -->`)
