import { maskId } from "../channel/ChannelStatus.js"
import { ACCOUNT_NAME } from "./ConfigFile.js"
import { DEFAULT_ACCOUNT } from "./resolveAccounts.js"

type Missing = (path: string, otherwise: string) => void

const record = (value: unknown): Readonly<Record<string, unknown>> | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined

/**
 * The rules between the accounts of `channels.dingtalk` (its substituted, not yet decoded value): both credentials
 * for every account, one `default` account, and no app or robot served by two accounts.
 */
export const accountProblems = (dingtalk: unknown, missing: Missing): Array<string> => {
  const problems: Array<string> = []
  const channel = record(dingtalk)
  const accounts = record(channel?.accounts)
  if (channel === undefined || accounts === undefined) return problems
  const entries: Array<{
    readonly path: string
    readonly name: string
    readonly app: Record<string, unknown>
  }> = []
  if (text(channel.clientId) !== undefined || text(channel.clientSecret) !== undefined) {
    for (const key of ["clientId", "clientSecret"] as const)
      if (channel[key] === undefined)
        missing(
          `channels.dingtalk.${key}`,
          `required with the other half of the "${DEFAULT_ACCOUNT}" account`,
        )
    if (accounts[DEFAULT_ACCOUNT] !== undefined)
      problems.push(
        `channels.dingtalk.accounts.${DEFAULT_ACCOUNT}: the account "${DEFAULT_ACCOUNT}" is already the clientId/clientSecret written on channels.dingtalk; move them into it or rename this account`,
      )
    entries.push({ path: "channels.dingtalk", name: DEFAULT_ACCOUNT, app: channel })
  }
  for (const [name, value] of Object.entries(accounts)) {
    const app = record(value)
    if (app === undefined) continue
    const path = `channels.dingtalk.accounts.${name}`
    if (!ACCOUNT_NAME.test(name))
      problems.push(`${path}: an account name is a letter, then up to 31 letters, digits, - or _`)
    for (const key of ["clientId", "clientSecret"] as const)
      if (app[key] === undefined) missing(`${path}.${key}`, "required: every account is its own app")
    entries.push({ path, name, app })
  }
  const owners = { clientId: new Map<string, string>(), robotCode: new Map<string, string>() }
  for (const { path, name, app } of entries) {
    const clientId = text(app.clientId)
    if (clientId === undefined) continue
    const robotCode = text(app.robotCode) ?? clientId
    const sameApp = owners.clientId.get(clientId)
    const sameRobot = owners.robotCode.get(robotCode)
    if (sameApp !== undefined)
      problems.push(
        `${path}.clientId: ${maskId(clientId)} is already account "${sameApp}"'s; two accounts cannot serve one app`,
      )
    else if (sameRobot !== undefined)
      problems.push(
        `${path}.robotCode: ${maskId(robotCode)} is already account "${sameRobot}"'s; two accounts cannot serve one robot`,
      )
    owners.clientId.set(clientId, owners.clientId.get(clientId) ?? name)
    owners.robotCode.set(robotCode, owners.robotCode.get(robotCode) ?? name)
  }
  return problems
}
