import http from "node:http"
import ky from "ky"
const server = http.createServer((req, res) => { req.resume(); req.on("end", () => { res.setHeader("content-type", "application/json"); res.end('{"errcode":0,"errmsg":"ok"}') }) })
await new Promise((r) => server.listen(0, "127.0.0.1", r))
const url = `http://127.0.0.1:${server.address().port}/robot/sendBySession?session=abc`
const body = { msgtype: "markdown", markdown: { title: "hi", text: "hello world" }, at: { atUserIds: [], isAtAll: false } }
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
const variants = {
  ky: async () => { const r = await ky.post(url, { json: body, timeout: false, retry: 0, throwHttpErrors: false, redirect: "error", signal: AbortSignal.timeout(10000) }); JSON.parse(await r.text()) },
  fetch: async () => { const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), redirect: "error", signal: AbortSignal.timeout(10000) }); JSON.parse(await r.text()) },
  http: () => new Promise((resolve, reject) => { const payload = JSON.stringify(body); const req = http.request(url, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }, signal: AbortSignal.timeout(10000) }, (res) => { let t = ""; res.setEncoding("utf8"); res.on("data", (c) => { t += c }); res.on("end", () => { JSON.parse(t); resolve() }) }); req.on("error", reject); req.end(payload) }),
}
const N = 5000, C = 50
for (const round of [1, 2]) for (const [name, fn] of Object.entries(variants)) {
  const c0 = process.cpuUsage(); const t0 = performance.now(); let i = 0
  await Promise.all(Array.from({ length: C }, async () => { while (i++ < N) await fn() }))
  const c = process.cpuUsage(c0)
  if (round === 2) console.log(name, "µs cpu/req (client+server)", ((c.user + c.system) / N).toFixed(0), "wall", ((performance.now() - t0) / N * 1000).toFixed(0))
}
server.close(); agent.destroy()
