import * as Layer from "effect/Layer"
import { accessTokensLayer } from "./AccessTokens.js"
import { dingTalkApiLayer } from "./DingTalkApi.js"
import { type OpenApiConfig, resolveOpenApiConfig } from "./OpenApiConfig.js"
import { openApiMediaSinkLayer } from "./OpenApiMediaSink.js"
import { openApiMediaSourceLayer } from "./OpenApiMediaSource.js"
import { openApiReplyCardLayer } from "./OpenApiReplyCard.js"
import { openApiRobotMessengerLayer } from "./OpenApiRobotMessenger.js"

/**
 * Everything the Open API gives the channel, for one app: `MediaSource`, `MediaSink`, `RobotMessenger`, `ReplyCard`, `AccessTokens` and the
 * authorised `DingTalkApi`. The `TokenStore` stays a requirement, so memory, file or shared stores can be chosen.
 */
export const OpenApi = {
  layer: (config: OpenApiConfig) => {
    const resolved = resolveOpenApiConfig(config)
    const api = dingTalkApiLayer(resolved).pipe(Layer.provideMerge(accessTokensLayer(resolved)))
    return Layer.mergeAll(
      openApiRobotMessengerLayer,
      openApiMediaSourceLayer,
      openApiMediaSinkLayer(resolved.oapiBase),
      openApiReplyCardLayer(resolved),
    ).pipe(Layer.provideMerge(api))
  },
}
