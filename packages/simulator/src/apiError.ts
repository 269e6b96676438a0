import type { ServerResponse } from "node:http"
import { sendJson } from "./http.js"
import { ids } from "./ids.js"

/** A v1.0 error as DingTalk shapes it: `{requestid, code, message}` and an `x-acs-request-id` header. */
export const apiError = (
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  extra: object = {},
) =>
  sendJson(
    response,
    status,
    { requestid: ids.requestId(), code, message, ...extra },
    { "x-acs-request-id": ids.requestId() },
  )

export const QPS_LIMIT_CODE = "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"
export const PERMISSION_DENIED_CODE = "Forbidden.AccessDenied.AccessTokenPermissionDenied"
