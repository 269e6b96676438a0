import type { IncomingMessage, ServerResponse } from "node:http"
import { apiError } from "./apiError.js"
import type { CounterState } from "./Counters.js"
import { ids } from "./ids.js"
import type { SimApp } from "./SimulatorApi.js"

interface IssuedToken {
  readonly app: SimApp
  expiresAt: number
}

/** The access tokens the simulator has issued: one current token per app, renewed while it is still valid. */
export class AccessTokens {
  private readonly tokens = new Map<string, IssuedToken>()
  private readonly currentToken = new Map<string, string>()

  constructor(
    private readonly tokenExpireInSeconds: number,
    private readonly counters: CounterState,
  ) {}

  issue(app: SimApp): { token: string; expiresIn: number } {
    const lifetimeMs = this.tokenExpireInSeconds * 1000
    const current = this.currentToken.get(app.clientId)
    const existing = current === undefined ? undefined : this.tokens.get(current)
    if (current !== undefined && existing !== undefined && existing.expiresAt > Date.now()) {
      existing.expiresAt = Date.now() + lifetimeMs
      return { token: current, expiresIn: this.tokenExpireInSeconds }
    }
    const token = ids.token()
    this.tokens.set(token, { app, expiresAt: Date.now() + lifetimeMs })
    this.currentToken.set(app.clientId, token)
    this.counters.tokensIssued += 1
    return { token, expiresIn: this.tokenExpireInSeconds }
  }

  /** The app a token (e.g. oapi's `access_token` query parameter) belongs to while it is valid. */
  appOf(token: string): SimApp | undefined {
    const issued = this.tokens.get(token)
    return issued === undefined || issued.expiresAt <= Date.now() ? undefined : issued.app
  }

  /** The app the request's token belongs to, or undefined after answering 401. */
  authorize(request: IncomingMessage, response: ServerResponse): SimApp | undefined {
    const header = request.headers["x-acs-dingtalk-access-token"]
    const token = typeof header === "string" ? this.tokens.get(header) : undefined
    if (token === undefined || token.expiresAt <= Date.now()) {
      apiError(response, 401, "InvalidAuthentication", "不合法的access_token")
      return undefined
    }
    return token.app
  }

  revoke(): void {
    this.tokens.clear()
    this.currentToken.clear()
  }
}
