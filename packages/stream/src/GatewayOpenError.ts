/** `connections/open` failed; `status` 401 means the app credentials were rejected. */
export class GatewayOpenError extends Error {
  constructor(
    readonly status: number | undefined,
    readonly code: string | undefined,
    reason: string,
  ) {
    super(reason)
    this.name = "GatewayOpenError"
  }

  get badCredentials(): boolean {
    return this.status === 401 || this.code === "authFailed"
  }
}
