import { cardScript, cardStyle } from "./sandboxCards.js"
import { composerHtml, composerScript, composerStyle } from "./sandboxComposer.js"

/** The sandbox chat page: one self-contained document (no CDN: the machine may be offline). */
export const sandboxPage = (title: string) => `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
  :root { --blue:#1677ff; --bg:#f5f6f8; --line:#e5e6eb; --muted:#86909c; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.5 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif; background:var(--bg); color:#1d2129; height:100vh; display:flex; }
  aside { width:260px; background:#fff; border-right:1px solid var(--line); display:flex; flex-direction:column; }
  aside h1 { font-size:15px; margin:0; padding:14px 16px; border-bottom:1px solid var(--line); }
  aside h1 small { display:block; color:var(--muted); font-weight:normal; font-size:12px; }
  .conv { padding:10px 16px; cursor:pointer; border-bottom:1px solid #f2f3f5; }
  .conv.active { background:#e8f3ff; }
  .conv .kind { font-size:11px; color:var(--muted); }
  .me { padding:12px 16px; border-top:1px solid var(--line); margin-top:auto; }
  .me select, .me input { width:100%; margin-top:4px; padding:5px; }
  main { flex:1; display:flex; flex-direction:column; min-width:0; }
  header { background:#fff; padding:12px 20px; border-bottom:1px solid var(--line); font-weight:600; }
  header .policy { font-weight:normal; color:var(--muted); font-size:12px; margin-left:8px; }
  #messages { flex:1; overflow-y:auto; padding:20px; }
  .msg { display:flex; margin-bottom:14px; }
  .msg.mine { justify-content:flex-end; }
  .msg > div { max-width:70%; }
  .bubble { padding:8px 12px; white-space:normal; border-radius:8px; background:#fff; border:1px solid var(--line); overflow-wrap:anywhere; }
  .mine .bubble { background:var(--blue); color:#fff; border-color:var(--blue); }
  .who { font-size:12px; color:var(--muted); margin-bottom:2px; }
  .route { display:inline-block; font-size:11px; padding:0 6px; border-radius:9px; background:#f2f3f5; color:#4e5969; margin-left:6px; }
  .note { text-align:center; color:var(--muted); font-size:12px; margin:-6px 0 14px; }
  .bubble pre { background:#f7f8fa; padding:8px; overflow-x:auto; color:#1d2129; }
  .bubble table { border-collapse:collapse; } .bubble td, .bubble th { border:1px solid var(--line); padding:2px 6px; }
  .bubble img.sent { max-width:220px; border-radius:4px; display:block; }
  .bubble a.file { color:var(--blue); text-decoration:none; font-weight:600; } .bubble .size { color:var(--muted); font-size:12px; }
  .mention { color:var(--blue); font-weight:600; }
${composerStyle}
${cardStyle}
</style>
</head>
<body>
<aside>
  <h1>OpenPollen 钉钉沙箱<small>a local DingTalk: chat with your bot</small></h1>
  <div id="conversations"></div>
  <div class="me">你的身份 / You are
    <select id="user"></select>
    <input id="newUser" placeholder="+ 添加用户 (回车)">
  </div>
</aside>
<main>
  <header><span id="title"></span><span class="policy" id="policy"></span></header>
  <div id="messages"></div>
${composerHtml}
</main>
<script>
const state = { conversations: [], users: [], current: null, log: {} , policy: "mention" }
const $ = (id) => document.getElementById(id)
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&":"&amp;","<":"&lt;",">":"&gt;","\\"":"&quot;","'":"&#39;" })[c])
async function api(path, body) {
  const response = await fetch("/sandbox/api/" + path, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
  if (!response.ok) throw new Error((await response.json()).error || response.statusText)
  return response.json()
}
function push(conversationId, entry) { (state.log[conversationId] ||= []).push(entry); if (state.current === conversationId) render() }
function render() {
  const conv = state.conversations.find((c) => c.id === state.current)
  $("conversations").innerHTML = state.conversations.map((c) => '<div class="conv' + (c.id === state.current ? " active" : "") + '" data-id="' + esc(c.id) + '"><div>' + esc(c.name) + '</div><div class="kind">' + (c.kind === "group" ? "群聊 group" : "单聊 DM") + '</div></div>').join("")
  $("user").innerHTML = state.users.map((u) => '<option value="' + esc(u.dingtalkId) + '"' + (u.dingtalkId === state.me ? " selected" : "") + ">" + esc(u.nick) + "</option>").join("")
  if (!conv) return
  $("title").textContent = conv.name
  $("policy").textContent = conv.kind === "group" ? "groupPolicy: " + state.policy + (state.policy === "mention" ? " — the bot answers only when @-mentioned" : " — the bot answers every message") : "DMs are always answered"
  $("atLabel").style.display = conv.kind === "group" ? "" : "none"
  $("messages").innerHTML = (state.log[conv.id] || []).map((m) => m.kind === "note" ? '<div class="note">' + esc(m.text) + "</div>" :
    '<div class="msg' + (m.mine ? " mine" : "") + '"><div><div class="who">' + esc(m.who) + (m.route ? '<span class="route' + (m.card ? " card-" + m.card.toLowerCase() : "") + '">' + esc(m.route) + "</span>" : "") + '</div><div class="bubble' + (m.card ? " card " + m.card.toLowerCase() : "") + '">' + m.html + "</div></div></div>").join("")
  $("messages").scrollTop = $("messages").scrollHeight
}
$("conversations").onclick = (event) => { const item = event.target.closest(".conv"); if (item) { state.current = item.dataset.id; render() } }
$("user").onchange = () => { state.me = $("user").value; refreshConversations() }
$("newUser").onkeydown = async (event) => { if (event.key !== "Enter" || !event.target.value.trim()) return; const user = await api("users", { nick: event.target.value.trim() }); event.target.value = ""; state.me = user.dingtalkId; await load() }
async function refreshConversations() { const data = await api("conversations?user=" + encodeURIComponent(state.me)); state.conversations = data.conversations; if (!state.conversations.some((c) => c.id === state.current)) state.current = state.conversations[0]?.id; render() }
async function load() { const data = await api("state"); state.users = data.users; state.policy = data.groupPolicy; state.me ||= data.users[0]?.dingtalkId; await refreshConversations() }
${composerScript}
${cardScript}
const events = new EventSource("/sandbox/api/events")
events.onmessage = (event) => { const reply = JSON.parse(event.data); if (reply.kind === "card") return showCard(reply); push(reply.conversationId, { who: "机器人 bot", route: reply.route, html: reply.html }) }
load()
</script>
</body>
</html>
`
