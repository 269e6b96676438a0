import { type Simulator, startSimulator } from "@openpollen/simulator"
import { afterEach, describe, expect, it } from "vitest"

let sim: Simulator | undefined
afterEach(async () => {
  await sim?.close()
  sim = undefined
})

const tokenFor = async (simulator: Simulator) => {
  const response = await fetch(`${simulator.url}/v1.0/oauth2/accessToken`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ appKey: simulator.app.clientId, appSecret: simulator.app.clientSecret }),
  })
  return String(((await response.json()) as { accessToken: string }).accessToken)
}

const upload = async (
  simulator: Simulator,
  token: string,
  type: string,
  bytes: Uint8Array,
  fileName: string,
) => {
  const form = new FormData()
  form.append("media", new Blob([bytes], { type: "application/octet-stream" }), fileName)
  const response = await fetch(`${simulator.url}/media/upload?access_token=${token}&type=${type}`, {
    method: "POST",
    body: form,
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

const send = async (simulator: Simulator, token: string, path: string, body: Record<string, unknown>) => {
  const response = await fetch(`${simulator.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-acs-dingtalk-access-token": token },
    body: JSON.stringify({ robotCode: simulator.app.robotCode, ...body }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

describe("the simulated media upload and media messages", () => {
  it("stores an upload under a media_id, serves it back, and records a sampleFile with its media", async () => {
    sim = await startSimulator()
    const token = await tokenFor(sim)
    const bytes = Uint8Array.from({ length: 70_000 }, (_, index) => index % 251)
    const uploaded = await upload(sim, token, "file", bytes, "报告.pdf")
    expect(uploaded).toMatchObject({ status: 200, body: { errcode: 0, type: "file" } })
    const mediaId = String(uploaded.body.media_id)
    expect(mediaId).toMatch(/^@/)
    expect(sim.uploadedMedia(mediaId)).toMatchObject({ fileName: "报告.pdf", type: "file", bytes })
    expect(sim.counters.mediaUploads).toBe(1)

    const group = sim.group({ title: "项目组", members: [] })
    const sent = await send(sim, token, "/v1.0/robot/groupMessages/send", {
      openConversationId: group.id,
      msgKey: "sampleFile",
      msgParam: JSON.stringify({ mediaId, fileName: "报告.pdf", fileType: "pdf" }),
    })
    expect(sent.status).toBe(200)
    const reply = await sim.nextReply(group.id)
    expect(reply).toMatchObject({
      msgKey: "sampleFile",
      media: { kind: "file", mediaId, fileName: "报告.pdf", fileType: "pdf", size: bytes.length },
    })
    const served = await fetch(reply.media?.url ?? "")
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(bytes)
  })

  it("records an image by media id or by https URL, and refuses a media id it never issued", async () => {
    sim = await startSimulator()
    const token = await tokenFor(sim)
    const user = sim.addUser({ nick: "王芳" })
    const dm = sim.dm(user)
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    const mediaId = String((await upload(sim, token, "image", png, "chart.png")).body.media_id)
    for (const photoURL of [mediaId, "https://cdn.example.com/logo.png"])
      expect(
        (
          await send(sim, token, "/v1.0/robot/oToMessages/batchSend", {
            userIds: [user.staffId],
            msgKey: "sampleImageMsg",
            msgParam: JSON.stringify({ photoURL }),
          })
        ).status,
      ).toBe(200)
    expect((await sim.nextReply(dm.id)).media).toMatchObject({ kind: "image", mediaId, size: png.length })
    expect((await sim.nextReply(dm.id)).media).toEqual({
      kind: "image",
      url: "https://cdn.example.com/logo.png",
    })
    const unknown = await send(sim, token, "/v1.0/robot/oToMessages/batchSend", {
      userIds: [user.staffId],
      msgKey: "sampleImageMsg",
      msgParam: JSON.stringify({ photoURL: "@lAnever" }),
    })
    expect(unknown).toMatchObject({ status: 400, body: { code: "invalidParameter.mediaId.invalid" } })
  })

  it("answers errcode 40014 for a bad token and 40006 past the type's size limit (voice 2 MB)", async () => {
    sim = await startSimulator()
    const token = await tokenFor(sim)
    const small = new Uint8Array(16)
    expect((await upload(sim, "not-a-token", "image", small, "a.png")).body).toMatchObject({ errcode: 40014 })
    const overVoice = new Uint8Array(2 * 1024 * 1024 + 1)
    expect((await upload(sim, token, "voice", overVoice, "a.amr")).body).toMatchObject({ errcode: 40006 })
    expect((await upload(sim, token, "file", overVoice, "a.amr")).body).toMatchObject({ errcode: 0 })
    expect((await upload(sim, token, "sticker", small, "a.png")).body).toMatchObject({ errcode: 40004 })
  })
})
