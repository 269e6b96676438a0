import { type Simulator, STANDARD_CARD_TEMPLATE, startSimulator } from "@openpollen/simulator"
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

const call = async (simulator: Simulator, method: string, path: string, body: unknown, token?: string) => {
  const response = await fetch(`${simulator.url}${path}`, {
    method,
    headers: {
      "content-type": "application/json",
      ...(token === undefined ? {} : { "x-acs-dingtalk-access-token": token }),
    },
    body: JSON.stringify(body),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

const tokenFor = async (simulator: Simulator) => {
  const { body } = await call(simulator, "POST", "/v1.0/oauth2/accessToken", {
    appKey: simulator.app.clientId,
    appSecret: simulator.app.clientSecret,
  })
  return String(body.accessToken)
}

const dmCard = (simulator: Simulator, staffId: string, outTrackId: string) => ({
  cardTemplateId: STANDARD_CARD_TEMPLATE,
  outTrackId,
  cardData: { cardParamMap: { content: "" } },
  callbackType: "STREAM",
  openSpaceId: `dtv1.card//IM_ROBOT.${staffId}`,
  imRobotOpenSpaceModel: { supportForward: true },
  imRobotOpenDeliverModel: { spaceType: "IM_ROBOT", robotCode: simulator.app.robotCode },
  userIdType: 1,
})

const groupCard = (simulator: Simulator, conversationId: string, outTrackId: string) => ({
  cardTemplateId: STANDARD_CARD_TEMPLATE,
  outTrackId,
  cardData: { cardParamMap: { content: "" } },
  callbackType: "STREAM",
  openSpaceId: `dtv1.card//IM_GROUP.${conversationId}`,
  imGroupOpenSpaceModel: { supportForward: true },
  imGroupOpenDeliverModel: { robotCode: simulator.app.robotCode },
  userIdType: 1,
})

const update = (outTrackId: string, content: string, flags: Record<string, boolean> = {}) => ({
  outTrackId,
  guid: crypto.randomUUID(),
  key: "content",
  content,
  isFull: true,
  isFinalize: false,
  isError: false,
  ...flags,
})

describe("the simulated AI card API", () => {
  it("creates a DM card, streams into it and finalizes it, keeping the timeline", async () => {
    const simulator = await start()
    const token = await tokenFor(simulator)
    const user = simulator.addUser({ nick: "u" })
    const staffId = user.staffId ?? ""
    const created = await call(
      simulator,
      "POST",
      "/v1.0/card/instances/createAndDeliver",
      dmCard(simulator, staffId, "t1"),
      token,
    )
    expect(created).toMatchObject({
      status: 200,
      body: { result: { outTrackId: "t1", deliverResults: [{ spaceType: "IM_ROBOT", success: true }] } },
    })
    expect(simulator.cards.get("t1")).toMatchObject({
      flowStatus: "PROCESSING",
      conversationId: simulator.dm(user).id,
      params: { content: "" },
    })
    expect((await call(simulator, "PUT", "/v1.0/card/streaming", update("t1", "Hel"), token)).status).toBe(
      200,
    )
    expect(simulator.cards.get("t1")).toMatchObject({ flowStatus: "INPUTING", params: { content: "Hel" } })
    const final = simulator.cards.waitForFinal("t1")
    await call(simulator, "PUT", "/v1.0/card/streaming", update("t1", "Hello", { isFinalize: true }), token)
    const card = await final
    expect(card).toMatchObject({ flowStatus: "FINISHED", params: { content: "Hello" } })
    expect(card.updates.map((u) => [u.content, u.isFinalize])).toEqual([
      ["Hel", false],
      ["Hello", true],
    ])
  })

  it("delivers group cards, marks errors FAILED, and treats a repeated guid as the same call", async () => {
    const simulator = await start()
    const token = await tokenFor(simulator)
    const group = simulator.group({ title: "g", members: [] })
    const next = simulator.cards.nextCard(group.id)
    await call(
      simulator,
      "POST",
      "/v1.0/card/instances/createAndDeliver",
      groupCard(simulator, group.id, "g1"),
      token,
    )
    expect((await next).spaceType).toBe("IM_GROUP")
    const once = update("g1", "a")
    await call(simulator, "PUT", "/v1.0/card/streaming", once, token)
    await call(simulator, "PUT", "/v1.0/card/streaming", once, token)
    await call(
      simulator,
      "PUT",
      "/v1.0/card/streaming",
      update("g1", "sorry", { isFinalize: true, isError: true }),
      token,
    )
    expect(simulator.cards.get("g1")).toMatchObject({ flowStatus: "FAILED", params: { content: "sorry" } })
    expect(simulator.cards.get("g1")?.updates).toHaveLength(2)
  })

  it("validates every field of createAndDeliver", async () => {
    const simulator = await start()
    const token = await tokenFor(simulator)
    const staffId = simulator.addUser({ nick: "u" }).staffId ?? ""
    const group = simulator.group({ title: "g", members: [] })
    const base = dmCard(simulator, staffId, "v")
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...base, cardData: { cardParamMap: { content: 1 } } }, "invalidParameter.cardParamMap.invalid"],
      [{ ...base, cardTemplateId: "nope.schema" }, "invalidParameter.cardTemplateId.notExist"],
      [{ ...base, outTrackId: "" }, "invalidParameter.outTrackId.empty"],
      [{ ...base, userIdType: "1" }, "invalidParameter.userIdType.invalid"],
      [{ ...base, openSpaceId: `dtv1.card//IM_CHAT.${staffId}` }, "invalidParameter.openSpaceId.invalid"],
      [{ ...base, callbackType: "PUSH" }, "invalidParameter.callbackType.invalid"],
      [
        { ...base, imRobotOpenDeliverModel: { robotCode: simulator.app.robotCode } },
        "invalidParameter.openDeliverModel.invalid",
      ],
      [
        { ...base, imRobotOpenDeliverModel: { spaceType: "IM_ROBOT", robotCode: "other" } },
        "invalidParameter.robotCode.invalid",
      ],
      [
        { ...groupCard(simulator, group.id, "v"), imRobotOpenSpaceModel: {} },
        "invalidParameter.openSpaceModel.invalid",
      ],
      [
        { ...base, openSpaceId: `dtv1.card//IM_GROUP.${group.id}` },
        "invalidParameter.openSpaceModel.invalid",
      ],
    ]
    for (const [body, code] of cases) {
      const answer = await call(simulator, "POST", "/v1.0/card/instances/createAndDeliver", body, token)
      expect({ status: answer.status, code: answer.body.code }).toEqual({ status: 400, code })
    }
    expect(simulator.cards.all).toHaveLength(0)
    const stranger = await call(
      simulator,
      "POST",
      "/v1.0/card/instances/createAndDeliver",
      dmCard(simulator, "no-such-staff", "x"),
      token,
    )
    expect(stranger.body).toMatchObject({ result: { deliverResults: [{ success: false }] } })
    expect(simulator.cards.all).toHaveLength(0)
    const unauthorised = await call(
      simulator,
      "POST",
      "/v1.0/card/instances/createAndDeliver",
      base,
      "bad-token",
    )
    expect(unauthorised).toMatchObject({ status: 401, body: { code: "InvalidAuthentication" } })
  })

  it("refuses a second card with the same outTrackId and updates of unknown cards", async () => {
    const simulator = await start()
    const token = await tokenFor(simulator)
    const staffId = simulator.addUser({ nick: "u" }).staffId ?? ""
    await call(
      simulator,
      "POST",
      "/v1.0/card/instances/createAndDeliver",
      dmCard(simulator, staffId, "d"),
      token,
    )
    const again = await call(
      simulator,
      "POST",
      "/v1.0/card/instances/createAndDeliver",
      dmCard(simulator, staffId, "d"),
      token,
    )
    expect(again).toMatchObject({ status: 400, body: { code: "param.outTrackId.duplicated" } })
    const unknown = await call(simulator, "PUT", "/v1.0/card/streaming", update("missing", "x"), token)
    expect(unknown).toMatchObject({ status: 400, body: { code: "invalidParameter.outTrackId.notExist" } })
    const notBoolean = await call(
      simulator,
      "PUT",
      "/v1.0/card/streaming",
      { ...update("d", "x"), isFull: "true" },
      token,
    )
    expect(notBoolean.status).toBe(400)
    expect(simulator.cards.all).toHaveLength(1)
  })

  it("names the missing card permission, and throttles the org past its card QPS", async () => {
    const simulator = await start({ cardQps: 5 })
    const token = await tokenFor(simulator)
    const staffId = simulator.addUser({ nick: "u" }).staffId ?? ""
    simulator.cards.setPermissions(["Card.Instance.Write"])
    await call(
      simulator,
      "POST",
      "/v1.0/card/instances/createAndDeliver",
      dmCard(simulator, staffId, "p"),
      token,
    )
    const denied = await call(simulator, "PUT", "/v1.0/card/streaming", update("p", "x"), token)
    expect(denied).toMatchObject({
      status: 403,
      body: {
        code: "Forbidden.AccessDenied.AccessTokenPermissionDenied",
        accessdenieddetail: { requiredScopes: ["Card.Streaming.Write"] },
      },
    })
    simulator.cards.setPermissions(["Card.Instance.Write", "Card.Streaming.Write"])
    await new Promise((resolve) => setTimeout(resolve, 1_050))
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        call(simulator, "PUT", "/v1.0/card/streaming", update("p", "x"), token),
      ),
    )
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(5)
    expect(
      answers.filter((answer) => answer.body.code === "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"),
    ).toHaveLength(3)
    expect(simulator.cards.counters).toMatchObject({ throttled: 3, peakQps: 5 })
  })

  it("applies fault knobs to card endpoints", async () => {
    const simulator = await start()
    const token = await tokenFor(simulator)
    const staffId = simulator.addUser({ nick: "u" }).staffId ?? ""
    simulator.setFault("cardCreate", { status: 500, times: 1 })
    const failed = await call(
      simulator,
      "POST",
      "/v1.0/card/instances/createAndDeliver",
      dmCard(simulator, staffId, "f"),
      token,
    )
    expect(failed.status).toBe(500)
    await call(
      simulator,
      "POST",
      "/v1.0/card/instances/createAndDeliver",
      dmCard(simulator, staffId, "f"),
      token,
    )
    simulator.setFault("cardStreaming", { throttle: true, times: 1 })
    const throttled = await call(simulator, "PUT", "/v1.0/card/streaming", update("f", "x"), token)
    expect(throttled.body.code).toBe("Forbidden.AccessDenied.QpsLimitForAppkeyAndApi")
    simulator.setFault("cardStreaming", { latencyMs: 200, times: 1 })
    const began = Date.now()
    await call(simulator, "PUT", "/v1.0/card/streaming", update("f", "y"), token)
    expect(Date.now() - began).toBeGreaterThanOrEqual(190)
    expect(simulator.cards.get("f")?.params.content).toBe("y")
  })
})
