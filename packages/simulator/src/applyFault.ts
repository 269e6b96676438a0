import type { ServerResponse } from "node:http"
import { apiError, PERMISSION_DENIED_CODE, QPS_LIMIT_CODE } from "./apiError.js"
import { type Faults, sleep } from "./Faults.js"
import type { Endpoint } from "./SimulatorApi.js"

/**
 * Applies the endpoint's injected fault, if any; true when the fault already answered (or swallowed) the request.
 * A drip fault does not answer: `onDrip` hands its pace to whoever streams the body. Neither does a
 * status-after-delivery fault: `onStatusAfterDelivery` hands its status to the handler, which delivers first.
 */
export const applyFault = async (
  faults: Faults,
  endpoint: Endpoint,
  response: ServerResponse,
  onDrip: (dripMs: number) => void = () => {},
  onStatusAfterDelivery: (status: number) => void = () => {},
): Promise<boolean> => {
  const fault = faults.take(endpoint)
  if (fault === undefined) return false
  if (fault.latencyMs) await sleep(fault.latencyMs)
  if (fault.hang) return true
  if (fault.redirectTo !== undefined) {
    response.writeHead(302, { location: fault.redirectTo }).end()
    return true
  }
  if (fault.statusAfterDelivery !== undefined) {
    onStatusAfterDelivery(fault.statusAfterDelivery)
    return false
  }
  if (fault.dripMs !== undefined) {
    onDrip(fault.dripMs)
    return false
  }
  if (fault.throttle) {
    apiError(response, 403, QPS_LIMIT_CODE, "应用调用该接口的请求数超过限流阈值")
    return true
  }
  if (fault.invalidToken) {
    apiError(response, 401, "InvalidAuthentication", "不合法的access_token")
    return true
  }
  if (fault.permissionDenied) {
    apiError(response, 403, PERMISSION_DENIED_CODE, "没有调用该接口的权限", {
      accessdenieddetail: { requiredScopes: ["qyapi_robot_sendmsg"] },
    })
    return true
  }
  if (fault.status) {
    apiError(
      response,
      fault.status,
      fault.status >= 500 ? "ServiceUnavailable" : "Error",
      `injected HTTP ${fault.status}`,
    )
    return true
  }
  return false
}
