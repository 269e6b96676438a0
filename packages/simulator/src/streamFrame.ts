/** The topic robot callbacks are pushed on. */
export const ROBOT_TOPIC = "/v1.0/im/bot/messages/get"

/** One Stream frame as the gateway sends it: SYSTEM (ping, disconnect) or CALLBACK. */
export const streamFrame = (
  type: string,
  topic: string,
  messageId: string,
  data: string,
  extra: Record<string, string> = {},
) =>
  JSON.stringify({
    specVersion: "1.0",
    type,
    headers: { contentType: "application/json", messageId, time: String(Date.now()), topic, ...extra },
    data,
  })
