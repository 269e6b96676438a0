import { randomBytes, randomUUID } from "node:crypto"

const base64 = (bytes: number) => randomBytes(bytes).toString("base64")

export const ids = {
  uuid: () => randomUUID(),
  msgId: () => `msg${base64(12)}`,
  conversationId: () => `cid${base64(15)}`,
  dingtalkId: () => `$:LWCP_v1:$${base64(15)}`,
  staffId: () => `${Date.now() % 1_000_000}${randomBytes(4).readUInt32BE(0)}`.slice(0, 16),
  /** Real download codes contain `/`, `+` and `=`; keep them in so clients are tested against them. */
  downloadCode: () => `mIo/${base64(18).replace(/^./, "N")}+zo${base64(6)}==`,
  session: () => randomBytes(16).toString("hex"),
  token: () => randomBytes(16).toString("hex"),
  frameMessageId: () =>
    `${randomBytes(4).toString("hex")}_${Date.now().toString(16)}_${randomBytes(3).toString("hex")}`,
  processQueryKey: () => base64(24),
  requestId: () => randomUUID().toUpperCase(),
}
