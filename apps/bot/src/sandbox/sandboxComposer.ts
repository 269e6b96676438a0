// The sandbox page's composer: every message kind, multi-line text and quotes. Kept apart from the page's rendering
// of replies. Icons are inline SVG so they show without an emoji font.

const icon = (path: string) =>
  `<svg viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${path}</svg>`

const ICONS = {
  picture: icon(
    '<rect x="3" y="3" width="18" height="18" rx="2"/><circle cx="8.5" cy="8.5" r="1.5"/><path d="M21 15l-5-5L5 21"/>',
  ),
  attach: icon(
    '<path d="M21.4 11.1l-9.2 9.2a6 6 0 01-8.5-8.5l9.2-9.2a4 4 0 015.7 5.7l-9.2 9.2a2 2 0 01-2.8-2.8l8.5-8.5"/>',
  ),
  quote: icon('<path d="M9 17l-5-5 5-5"/><path d="M20 18v-2a4 4 0 00-4-4H4"/>'),
  close: icon('<path d="M18 6L6 18M6 6l12 12"/>'),
}

export const composerStyle = `
  form { display:flex; gap:8px; padding:12px 20px; background:#fff; border-top:1px solid var(--line); align-items:flex-end; }
  form textarea { flex:1; padding:9px; border:1px solid var(--line); border-radius:6px; resize:none; font:inherit; max-height:160px; min-height:40px; }
  form button { background:var(--blue); color:#fff; border:0; border-radius:6px; padding:9px 16px; cursor:pointer; }
  form button.icon { background:#f2f3f5; color:#4e5969; padding:9px 10px; display:inline-flex; }
  form select { padding:8px; border:1px solid var(--line); border-radius:6px; background:#fff; }
  label.at { white-space:nowrap; color:#4e5969; padding-bottom:9px; }
  #pending { display:flex; gap:8px; align-items:center; padding:6px 20px; background:#f7f8fa; border-top:1px solid var(--line); color:#4e5969; font-size:12px; }
  #pending[hidden] { display:none; }
  #pending span { flex:1; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
  #pending button { border:0; background:none; color:#86909c; cursor:pointer; display:inline-flex; }
  .msg > div { position:relative; }
  .quote-btn { position:absolute; top:0; right:-28px; border:0; background:none; color:#86909c; cursor:pointer; opacity:0; display:inline-flex; }
  .mine .quote-btn { right:auto; left:-28px; }
  .msg:hover .quote-btn, .quote-btn:focus { opacity:1; }
  .mine .mention { color:#fff; text-decoration:underline; }
  .quoted { border-left:3px solid rgba(255,255,255,.6); padding-left:6px; margin-bottom:4px; font-size:12px; opacity:.85; }
`

export const composerHtml = `
  <div id="pending" hidden><span id="pendingText"></span><button type="button" id="pendingClear" title="取消 / cancel">${ICONS.close}</button></div>
  <form id="composer">
    <label class="at" id="atLabel"><input type="checkbox" id="mention" checked> @机器人</label>
    <select id="kind" title="消息类型 / message kind">
      <option value="text">文本 text</option>
      <option value="richText">图文 richText</option>
      <option value="audio">语音 audio</option>
      <option value="video">视频 video</option>
      <option value="file">文件 file</option>
    </select>
    <textarea id="text" rows="1" placeholder="输入消息… (Enter 发送，Shift+Enter 换行；悬停消息可引用)" autocomplete="off"></textarea>
    <input type="file" id="image" accept="image/*" hidden>
    <input type="file" id="attachment" hidden>
    <button type="button" class="icon" id="pick" title="发送图片 / send a picture">${ICONS.picture}</button>
    <button type="button" class="icon" id="attach" title="附件：图文的图片、语音、视频或文件 / attachment">${ICONS.attach}</button>
    <button type="submit" id="send">发送</button>
  </form>`

export const composerScript = `
const composer = { quote: null, attachment: null }
const KIND_LABELS = { richText: "图文", audio: "语音", video: "视频", file: "文件" }
const readData = (file) => new Promise((resolve) => { const reader = new FileReader(); reader.onload = () => resolve(String(reader.result)); reader.readAsDataURL(file) })
const base64Of = (dataUrl) => dataUrl.split(",")[1] || ""
function showPending() {
  const parts = []
  if (composer.quote) parts.push("引用 " + composer.quote.who + "：" + composer.quote.label)
  if (composer.attachment) parts.push("附件 " + composer.attachment.name)
  $("pending").hidden = parts.length === 0
  $("pendingText").textContent = parts.join(" · ")
}
$("pendingClear").onclick = () => { composer.quote = null; composer.attachment = null; $("attachment").value = ""; showPending() }
function sent(conv, html, mention, source) {
  const me = state.users.find((u) => u.dingtalkId === state.me)
  const quoted = composer.quote ? '<div class="quoted">' + esc(composer.quote.who + "：" + composer.quote.label) + "</div>" : ""
  push(conv.id, { mine: true, who: me?.nick || "me", html: quoted + html, source })
  if (conv.kind === "group" && !mention && state.policy === "mention") push(conv.id, { kind: "note", text: "未 @机器人：在 groupPolicy \\"mention\\" 下机器人不会回复 (not @-mentioned: the bot stays quiet)" })
}
async function send(conv, message, html, source) {
  const mention = conv.kind === "group" && $("mention").checked
  const quote = composer.quote ? composer.quote.payload : undefined
  sent(conv, (mention ? '<span class="mention">@机器人</span> ' : "") + html, mention, source)
  composer.quote = null; composer.attachment = null; $("attachment").value = ""; showPending()
  await api("send", { conversationId: conv.id, userId: state.me, mention, ...message, ...(quote ? { quote } : {}) })
}
const currentConversation = () => state.conversations.find((c) => c.id === state.current)
$("composer").onsubmit = async (event) => {
  event.preventDefault()
  const conv = currentConversation(); if (!conv) return
  const text = $("text").value.replace(/\\s+$/, "").replace(/^\\n+/, "")
  const kind = $("kind").value
  const file = composer.attachment
  if (kind === "text" && !text.trim()) return
  if ((kind === "audio" || kind === "video" || kind === "file") && !file) { $("attachment").click(); return }
  if (kind === "richText" && !text.trim() && !file) return
  $("text").value = ""; grow()
  const textHtml = esc(text).replace(/\\n/g, "<br>")
  if (kind === "text") return send(conv, { kind, text }, textHtml, { text })
  const data = file ? await readData(file) : ""
  const message = { kind, text, dataBase64: base64Of(data), contentType: file?.type || "application/octet-stream", fileName: file?.name || "file.bin" }
  const fileLabel = file ? "[" + KIND_LABELS[kind] + " " + esc(file.name) + "]" : ""
  const html = kind === "richText" && file && (file.type || "").startsWith("image/") ? textHtml + '<img class="sent" src="' + esc(data) + '" alt="">' : [textHtml, fileLabel].filter(Boolean).join("<br>")
  const source = file && kind !== "richText" ? { dataBase64: message.dataBase64, contentType: message.contentType, ...(kind === "file" ? { fileName: message.fileName } : {}) } : { text }
  return send(conv, message, html, source)
}
function grow() { const box = $("text"); box.style.height = "auto"; box.style.height = Math.min(box.scrollHeight, 160) + "px" }
$("text").oninput = grow
$("text").onkeydown = (event) => {
  if (event.key !== "Enter" || event.shiftKey || event.isComposing) return
  event.preventDefault(); $("composer").requestSubmit()
}
$("pick").onclick = () => $("image").click()
$("attach").onclick = () => $("attachment").click()
$("attachment").onchange = () => {
  const file = $("attachment").files[0]; if (!file) return
  composer.attachment = file
  if ($("kind").value === "text") $("kind").value = (file.type || "").startsWith("image/") ? "richText" : (file.type || "").startsWith("audio/") ? "audio" : (file.type || "").startsWith("video/") ? "video" : "file"
  showPending()
}
$("image").onchange = async () => {
  const file = $("image").files[0]; const conv = currentConversation()
  if (!file || !conv) return
  const data = await readData(file)
  const contentType = file.type || "image/png"
  await send(conv, { kind: "picture", dataBase64: base64Of(data), contentType }, '<img class="sent" src="' + esc(data) + '" alt="">', { dataBase64: base64Of(data), contentType })
  $("image").value = ""
}
function quoteFrom(index) {
  const entry = (state.log[state.current] || [])[index]
  const node = $("messages").children[index]
  if (!entry || !node) return
  const text = (node.querySelector(".bubble")?.innerText || "").trim()
  const source = entry.source || { text }
  const label = source.fileName ? "[文件 " + source.fileName + "]" : source.dataBase64 ? "[图片]" : text.slice(0, 40)
  composer.quote = { who: entry.who, label, payload: source.dataBase64 ? source : { text: source.text ?? text } }
  showPending(); $("text").focus()
}
new MutationObserver(() => {
  Array.from($("messages").children).forEach((node, index) => {
    const holder = node.classList.contains("msg") ? node.firstElementChild : null
    if (!holder || holder.querySelector(".quote-btn")) return
    const button = document.createElement("button")
    button.type = "button"; button.className = "quote-btn"; button.title = "引用 / quote"; button.innerHTML = ${JSON.stringify(ICONS.quote)}
    button.onclick = () => quoteFrom(index)
    holder.appendChild(button)
  })
}).observe($("messages"), { childList: true })
`
