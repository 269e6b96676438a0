import type { DingTalkAccountFile } from "./ConfigFile.js"
import type { ResolvedAccount } from "./ResolvedConfig.js"
import { credentialsOf, type DingTalkFile, resolveDingTalk } from "./resolveDingTalk.js"

/** The account of a single-robot config (clientId/clientSecret on `channels.dingtalk` itself). */
export const DEFAULT_ACCOUNT = "default"

type AccountFile = typeof DingTalkAccountFile.Type

/** An account's keys over the channel's; `card`, `allowlists` and `groups` key by key, one level down. */
export const accountOverChannel = (channel: DingTalkFile, account: AccountFile): DingTalkFile => ({
  ...channel,
  ...account,
  ...(channel.card === undefined || account.card === undefined
    ? {}
    : { card: { ...channel.card, ...account.card } }),
  ...(channel.allowlists === undefined || account.allowlists === undefined
    ? {}
    : { allowlists: { ...channel.allowlists, ...account.allowlists } }),
  ...(channel.groups === undefined || account.groups === undefined
    ? {}
    : { groups: { ...channel.groups, ...account.groups } }),
})

/**
 * Every robot the config names: the `default` account (credentials on `channels.dingtalk`) first, then
 * `channels.dingtalk.accounts` in the order written. Empty when no credentials are configured (the sandbox).
 * Assumes a config `parseConfig` accepted: every account has both credentials.
 */
export const resolveAccounts = (channel: DingTalkFile): ReadonlyArray<ResolvedAccount> => {
  const resolved: Array<ResolvedAccount> = []
  const own = credentialsOf(channel)
  if (own !== undefined)
    resolved.push({ name: DEFAULT_ACCOUNT, credentials: own, dingtalk: resolveDingTalk(channel, own) })
  for (const [name, account] of Object.entries(channel.accounts ?? {})) {
    const credentials = credentialsOf(account)
    if (credentials === undefined) continue
    resolved.push({
      name,
      credentials,
      dingtalk: resolveDingTalk(accountOverChannel(channel, account), credentials),
    })
  }
  return resolved
}
