// The sandbox page's AI cards: a card bubble appears when the bot creates the card and is redrawn on every streaming
// update the simulator accepts, until its final (or error) state.

export const cardStyle = `
  .bubble.card { min-width:180px; border-color:#bedaff; box-shadow:0 1px 3px rgba(22,119,255,.12); }
  .bubble.card > :first-child { margin-top:0; } .bubble.card > p:last-of-type { margin-bottom:0; }
  .bubble.card.failed { border-color:#f53f3f; background:#fff2f0; }
  .route.card-processing, .route.card-inputing { background:#e8f3ff; color:var(--blue); }
  .route.card-finished { background:#e8ffea; color:#00b42a; }
  .route.card-failed { background:#ffece8; color:#f53f3f; }
  .thinking { color:var(--muted); }
  .caret { display:inline-block; width:7px; height:1em; margin-left:2px; vertical-align:text-bottom; background:var(--blue); animation:blink 1s steps(1) infinite; }
  @keyframes blink { 50% { opacity:0; } }
`

export const cardScript = `
const CARD_STATES = { PROCESSING: "处理中 processing", INPUTING: "生成中 streaming", FINISHED: "已完成 final", FAILED: "出错 error" }
const cards = {}
function cardBubble(card) {
  const body = card.html || (card.status === "PROCESSING" || card.status === "INPUTING" ? '<span class="thinking">处理中…</span>' : "")
  return body + (card.status === "INPUTING" ? '<span class="caret"></span>' : "")
}
function showCard(card) {
  const entry = cards[card.outTrackId]
  const view = { card: card.status, route: "AI 卡片 · " + (CARD_STATES[card.status] || card.status), html: cardBubble(card) }
  if (entry === undefined) {
    cards[card.outTrackId] = { who: "机器人 bot", ...view }
    return push(card.conversationId, cards[card.outTrackId])
  }
  Object.assign(entry, view)
  if (state.current === card.conversationId) render()
}
`
