import { type Simulator, startSimulator } from "@openpollen/simulator"
import { afterEach, describe, expect, it } from "vitest"

let sim: Simulator | undefined
afterEach(async () => {
  await sim?.close()
  sim = undefined
})
const start = async (options: Parameters<typeof startSimulator>[0] = {}) => {
  sim = await startSimulator(options)
  return sim
}

const post = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

const tokenFor = async (simulator: Simulator) => {
  const { body } = await post(`${simulator.url}/v1.0/oauth2/accessToken`, {
    appKey: simulator.app.clientId,
    appSecret: simulator.app.clientSecret,
  })
  return String(body.accessToken)
}

const markdownParam = JSON.stringify({ title: "t", text: "**md**" })

describe("the simulated Open API", () => {
  it("issues the same access token while it is valid, and checks credentials", async () => {
    const simulator = await start({ tokenExpireInSeconds: 7200 })
    const first = await post(`${simulator.url}/v1.0/oauth2/accessToken`, {
      appKey: simulator.app.clientId,
      appSecret: simulator.app.clientSecret,
    })
    expect(first).toMatchObject({ status: 200, body: { expireIn: 7200 } })
    expect(await tokenFor(simulator)).toBe(first.body.accessToken)
    expect(simulator.counters).toMatchObject({ tokenCalls: 2, tokensIssued: 1 })
    const bad = await post(`${simulator.url}/v1.0/oauth2/accessToken`, {
      appKey: simulator.app.clientId,
      appSecret: "x",
    })
    expect(bad.body.code).toBe("invalidClientIdOrSecret")
    const form = await post(`${simulator.url}/v1.0/oauth2/accessToken`, "appKey=x")
    expect(form).toMatchObject({ status: 400, body: { message: "body is mandatory" } })
  })

  it("serves the legacy gettoken, whose tokens work on v1.0 calls", async () => {
    const simulator = await start()
    const response = await fetch(
      `${simulator.url}/gettoken?appkey=${simulator.app.clientId}&appsecret=${simulator.app.clientSecret}`,
    )
    const body = (await response.json()) as { errcode: number; access_token: string }
    expect(body.errcode).toBe(0)
    const code = simulator.registerMedia(new Uint8Array([1]))
    const download = await post(
      `${simulator.url}/v1.0/robot/messageFiles/download`,
      { downloadCode: code, robotCode: simulator.app.robotCode },
      { "x-acs-dingtalk-access-token": body.access_token },
    )
    expect(download.status).toBe(200)
  })

  it("rejects missing, unknown and revoked tokens with InvalidAuthentication", async () => {
    const simulator = await start()
    const send = (token?: string) =>
      post(
        `${simulator.url}/v1.0/robot/groupMessages/send`,
        {
          robotCode: simulator.app.robotCode,
          openConversationId: "cid",
          msgKey: "sampleMarkdown",
          msgParam: markdownParam,
        },
        token === undefined ? {} : { "x-acs-dingtalk-access-token": token },
      )
    expect((await send()).body.code).toBe("InvalidAuthentication")
    expect((await send("forged")).status).toBe(401)
    const token = await tokenFor(simulator)
    simulator.revokeTokens()
    expect((await send(token)).body.code).toBe("InvalidAuthentication")
  })

  it("downloads through a pre-signed URL that refuses extra headers, streaming any size", async () => {
    const simulator = await start()
    const token = await tokenFor(simulator)
    const code = simulator.registerGeneratedMedia(5 * 1024 * 1024, "image/jpeg")
    expect(code).toMatch(/[/+=]/)
    const { body } = await post(
      `${simulator.url}/v1.0/robot/messageFiles/download`,
      { downloadCode: code, robotCode: simulator.app.robotCode },
      { "x-acs-dingtalk-access-token": token },
    )
    const downloadUrl = String(body.downloadUrl)
    expect((await fetch(downloadUrl, { headers: { "content-type": "application/json" } })).status).toBe(403)
    const plain = await fetch(downloadUrl)
    expect(plain.headers.get("content-type")).toBe("image/jpeg")
    expect((await plain.arrayBuffer()).byteLength).toBe(5 * 1024 * 1024)
    expect(simulator.counters.downloads).toBe(1)
    const unknown = await post(
      `${simulator.url}/v1.0/robot/messageFiles/download`,
      { downloadCode: "mIo/unknown==", robotCode: simulator.app.robotCode },
      { "x-acs-dingtalk-access-token": token },
    )
    expect(unknown.status).toBe(400)
  })

  it("validates and records group sends", async () => {
    const simulator = await start()
    const token = await tokenFor(simulator)
    const user = simulator.addUser({ nick: "A" })
    const group = simulator.group({ title: "g", members: [user] })
    const send = (body: Record<string, unknown>) =>
      post(`${simulator.url}/v1.0/robot/groupMessages/send`, body, { "x-acs-dingtalk-access-token": token })
    const valid = {
      robotCode: simulator.app.robotCode,
      openConversationId: group.id,
      msgKey: "sampleMarkdown",
      msgParam: markdownParam,
    }
    expect((await send(valid)).body.processQueryKey).toBeTypeOf("string")
    expect(await simulator.nextReply(group.id)).toMatchObject({
      via: "group",
      title: "t",
      text: "**md**",
      msgKey: "sampleMarkdown",
    })
    expect((await send({ ...valid, msgParam: { title: "t" } })).body.code).toBe(
      "invalidParameter.msgParam.invalid",
    )
    expect((await send({ ...valid, msgKey: "sampleActionCard1" })).body.code).toBe(
      "invalidParameter.msgKey.invalid",
    )
    expect((await send({ ...valid, openConversationId: "cidNope==" })).body.code).toBe(
      "invalidParameter.openConversationId.invalid",
    )
    expect(
      (await send({ ...valid, msgParam: JSON.stringify({ title: "t", text: "x".repeat(15_001) }) })).status,
    ).toBe(400)
  })

  it("validates batchSend: at most 20 users, unknown ones listed as invalid", async () => {
    const simulator = await start()
    const token = await tokenFor(simulator)
    const users = Array.from({ length: 21 }, (_, index) => simulator.addUser({ nick: `u${index}` }))
    const send = (userIds: ReadonlyArray<string>) =>
      post(
        `${simulator.url}/v1.0/robot/oToMessages/batchSend`,
        { robotCode: simulator.app.robotCode, userIds, msgKey: "sampleMarkdown", msgParam: markdownParam },
        { "x-acs-dingtalk-access-token": token },
      )
    const staffIds = users.map((user) => user.staffId ?? "")
    expect((await send(staffIds)).body.code).toBe("invalidParameter.userIds.invalid")
    const result = await send([...staffIds.slice(0, 2), "nobody"])
    expect(result.body).toMatchObject({ invalidStaffIdList: ["nobody"], flowControlledStaffIdList: [] })
    const first = users[0]
    if (first === undefined) throw new Error("no user")
    expect(await simulator.nextReply(simulator.dm(first).id)).toMatchObject({
      via: "batchSend",
      userIds: [first.staffId],
    })
  })

  it("answers session webhooks with errcodes in HTTP 200 bodies: 0, 300001 after expiry, 460101 over 20,000 bytes", async () => {
    const simulator = await start()
    const user = simulator.addUser({ nick: "A" })
    const group = simulator.group({ title: "g", members: [user] })
    const { sessionWebhook } = await simulator.sendText(group, user, "hi")
    const markdown = (text: string) => ({
      msgtype: "markdown",
      markdown: { title: "t", text },
      at: { atUserIds: [user.staffId], isAtAll: false },
    })
    expect(await post(sessionWebhook, markdown("ok"))).toEqual({
      status: 200,
      body: { errcode: 0, errmsg: "ok" },
    })
    expect(await simulator.nextReply(group.id)).toMatchObject({
      via: "webhook",
      text: "ok",
      atUserIds: [user.staffId],
    })
    expect((await post(sessionWebhook, { msgtype: "text", text: { content: "plain" } })).body.errcode).toBe(0)
    expect((await post(sessionWebhook, markdown("长".repeat(7_000)))).body.errcode).toBe(460101)
    simulator.expireWebhooks(group.id)
    expect(await post(sessionWebhook, markdown("late"))).toEqual({
      status: 200,
      body: { errcode: 300001, errmsg: "session 不存在" },
    })
    const fresh = await simulator.sendText(group, user, "again")
    expect((await post(fresh.sessionWebhook, markdown("new session"))).body.errcode).toBe(0)
  })

  it("delivers a webhook message and then answers 502 with statusAfterDelivery", async () => {
    const simulator = await start()
    const user = simulator.addUser({ nick: "A" })
    const dm = simulator.dm(user)
    const { sessionWebhook } = await simulator.sendText(dm, user, "hi")
    simulator.setFault("webhook", { statusAfterDelivery: 502, times: 1 })
    const answered = await post(sessionWebhook, { msgtype: "text", text: { content: "seen" } })
    expect(answered.status).toBe(502)
    expect(await simulator.nextReply(dm.id)).toMatchObject({ via: "webhook", text: "seen" })
    expect((await post(sessionWebhook, { msgtype: "text", text: { content: "next" } })).status).toBe(200)
  })

  it("expires webhooks by their lifetime", async () => {
    const simulator = await start({ webhookLifetimeMs: 50 })
    const user = simulator.addUser({ nick: "A" })
    const { sessionWebhook, data } = await simulator.sendText(simulator.dm(user), user, "hi")
    expect(data.sessionWebhookExpiredTime).toBe(Number(data.createAt) + 50)
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect((await post(sessionWebhook, { msgtype: "text", text: { content: "x" } })).body.errcode).toBe(
      300001,
    )
  })
})

describe("fault knobs", () => {
  it("throttles, invalidates tokens, denies permission and fails with 5xx, for N requests", async () => {
    const simulator = await start()
    const token = await tokenFor(simulator)
    const user = simulator.addUser({ nick: "A" })
    const group = simulator.group({ title: "g", members: [user] })
    const send = () =>
      post(
        `${simulator.url}/v1.0/robot/groupMessages/send`,
        {
          robotCode: simulator.app.robotCode,
          openConversationId: group.id,
          msgKey: "sampleMarkdown",
          msgParam: markdownParam,
        },
        { "x-acs-dingtalk-access-token": token },
      )
    simulator.setFault("groupSend", { throttle: true, times: 1 })
    expect(await send()).toMatchObject({
      status: 403,
      body: { code: "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi" },
    })
    simulator.setFault("groupSend", { invalidToken: true, times: 1 })
    expect(await send()).toMatchObject({ status: 401, body: { code: "InvalidAuthentication" } })
    simulator.setFault("groupSend", { permissionDenied: true, times: 1 })
    expect(await send()).toMatchObject({
      status: 403,
      body: { accessdenieddetail: { requiredScopes: ["qyapi_robot_sendmsg"] } },
    })
    simulator.setFault("groupSend", { status: 503, times: 2 })
    expect((await send()).status).toBe(503)
    expect((await send()).status).toBe(503)
    expect((await send()).status).toBe(200)
  })

  it("adds latency, hangs until cleared, and fails the gateway and token endpoints", async () => {
    const simulator = await start()
    simulator.setFault("token", { latencyMs: 150, times: 1 })
    const started = Date.now()
    await tokenFor(simulator)
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
    simulator.setFault("gateway", { status: 503 })
    const open = await post(`${simulator.url}/v1.0/gateway/connections/open`, {
      ...simulator.app,
      subscriptions: [],
    })
    expect(open.status).toBe(503)
    simulator.clearFault("gateway")
    expect(
      (await post(`${simulator.url}/v1.0/gateway/connections/open`, { ...simulator.app, subscriptions: [] }))
        .status,
    ).toBe(200)
    simulator.setFault("token", { status: 500, times: 1 })
    expect(
      (await post(`${simulator.url}/v1.0/oauth2/accessToken`, { appKey: "x", appSecret: "y" })).status,
    ).toBe(500)
    simulator.setFault("webhook", { hang: true })
    const user = simulator.addUser({ nick: "A" })
    const { sessionWebhook } = await simulator.sendText(simulator.dm(user), user, "hi")
    const hung = await fetch(sessionWebhook, {
      method: "POST",
      body: "{}",
      signal: AbortSignal.timeout(200),
    }).catch((error: unknown) => (error as Error).name)
    expect(hung).toBe("TimeoutError")
  })
})

describe("every endpoint honours an injected HTTP status", () => {
  it("gateway, token, legacyToken, download, downloadUrl, groupSend, batchSend, webhook", async () => {
    const simulator = await start()
    const token = await tokenFor(simulator)
    const auth = { "x-acs-dingtalk-access-token": token }
    const user = simulator.addUser({ nick: "A" })
    const group = simulator.group({ title: "g", members: [user] })
    const code = simulator.registerMedia(new Uint8Array([1, 2]))
    const { body } = await post(
      `${simulator.url}/v1.0/robot/messageFiles/download`,
      { downloadCode: code, robotCode: simulator.app.robotCode },
      auth,
    )
    const { sessionWebhook } = await simulator.sendText(group, user, "hi")
    const message = { robotCode: simulator.app.robotCode, msgKey: "sampleMarkdown", msgParam: markdownParam }
    const calls = {
      gateway: () =>
        post(`${simulator.url}/v1.0/gateway/connections/open`, { ...simulator.app, subscriptions: [] }).then(
          (r) => r.status,
        ),
      token: () =>
        post(`${simulator.url}/v1.0/oauth2/accessToken`, {
          appKey: simulator.app.clientId,
          appSecret: simulator.app.clientSecret,
        }).then((r) => r.status),
      legacyToken: () => fetch(`${simulator.url}/gettoken?appkey=a&appsecret=b`).then((r) => r.status),
      download: () =>
        post(
          `${simulator.url}/v1.0/robot/messageFiles/download`,
          { downloadCode: code, robotCode: simulator.app.robotCode },
          auth,
        ).then((r) => r.status),
      downloadUrl: () => fetch(String(body.downloadUrl)).then((r) => r.status),
      groupSend: () =>
        post(
          `${simulator.url}/v1.0/robot/groupMessages/send`,
          { ...message, openConversationId: group.id },
          auth,
        ).then((r) => r.status),
      batchSend: () =>
        post(
          `${simulator.url}/v1.0/robot/oToMessages/batchSend`,
          { ...message, userIds: [user.staffId] },
          auth,
        ).then((r) => r.status),
      webhook: () => post(sessionWebhook, { msgtype: "text", text: { content: "x" } }).then((r) => r.status),
    } as const
    for (const [endpoint, call] of Object.entries(calls)) {
      simulator.setFault(endpoint as keyof typeof calls, { status: 502, times: 1 })
      expect([endpoint, await call()]).toEqual([endpoint, 502])
      expect([endpoint, await call()]).toEqual([endpoint, 200])
    }
  })
})
