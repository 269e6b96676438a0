import * as Effect from "effect/Effect"
import { AccessTokens } from "./AccessTokens.js"
import { callApi } from "./callApi.js"
import type { ResolvedOpenApiConfig } from "./OpenApiConfig.js"

export interface CardScopeProbe {
  /** Scopes DingTalk said the app lacks. */
  readonly missing: ReadonlyArray<string>
  /** The configured template does not exist (or the app cannot see it). */
  readonly templateMissing: boolean
  /** Probes that could not tell (throttled, 5xx, unreachable), with DingTalk's words. */
  readonly unknown: ReadonlyArray<string>
}

/**
 * Which card scopes the app lacks, without creating a card: a createAndDeliver with no outTrackId and a streaming
 * update of a card that does not exist. DingTalk checks the token's scopes before the body, so a 403
 * AccessTokenPermissionDenied names a missing scope and a 400 means the call got past the scope check.
 */
export const probeCardScopes = (config: ResolvedOpenApiConfig) =>
  Effect.gen(function* () {
    const token = yield* (yield* AccessTokens).get
    const probes = [
      {
        scope: "Card.Instance.Write",
        method: "post" as const,
        path: "/v1.0/card/instances/createAndDeliver",
        body: { cardTemplateId: config.card.templateId, outTrackId: "", userIdType: 1 },
      },
      {
        scope: "Card.Streaming.Write",
        method: "put" as const,
        path: "/v1.0/card/streaming",
        body: {
          outTrackId: "openpollen-doctor-probe",
          guid: "probe",
          key: config.card.contentKey,
          content: "",
        },
      },
    ]
    const missing: Array<string> = []
    const unknown: Array<string> = []
    let templateMissing = false
    for (const probe of probes) {
      const answer = yield* Effect.result(
        callApi({ apiBase: config.apiBase, token, timeoutMs: config.requestTimeoutMs, ...probe }),
      )
      if (answer._tag === "Success") continue
      const error = answer.failure
      if (error.permissionDenied) missing.push(error.requiredScopes?.[0] ?? probe.scope)
      else if (error.transient || error.kind !== "http") unknown.push(`${probe.scope}: ${error.message}`)
      else if (/template/i.test(error.code ?? "")) templateMissing = true
    }
    return { missing, templateMissing, unknown } satisfies CardScopeProbe
  })
