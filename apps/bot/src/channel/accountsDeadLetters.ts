import type { DeadLetter } from "@openpollen/core"
import type { DeadLetterAccess, DeadLetterActed } from "./DeadLetterAccess.js"

export interface AccountDeadLetters {
  readonly name: string
  readonly deadLetters: DeadLetterAccess
}

/** A dead letter's id as the gateway shows it with several accounts: `<account>/<store id>`. */
export const accountLetterId = (account: string, id: string) => `${account}/${id}`

/**
 * The dead letters of every running account as one. Each account's store numbers its letters on its own (two Redis
 * streams can both hold `1764489600000-0`), so with several accounts an id names its account — `sales/12` — and a
 * bare id is refused rather than guessed. With one account its bare ids are the ids.
 */
export const accountsDeadLetters = (accounts: ReadonlyArray<AccountDeadLetters>): DeadLetterAccess => {
  const several = accounts.length > 1

  const act = async (
    id: string,
    action: (deadLetters: DeadLetterAccess, id: string) => Promise<DeadLetterActed>,
  ): Promise<DeadLetterActed> => {
    const slash = id.indexOf("/")
    const named = slash < 0 ? undefined : accounts.find((account) => account.name === id.slice(0, slash))
    if (named !== undefined) return action(named.deadLetters, id.slice(slash + 1))
    if (!several) return accounts[0] === undefined ? undefined : action(accounts[0].deadLetters, id)
    const names = accounts.map((account) => account.name).join(", ")
    return {
      refused:
        slash < 0
          ? `with several accounts a dead letter's id names its account, as deadletters list shows it: ${accountLetterId("<account>", id)}, the account one of ${names}`
          : `no running account is named "${id.slice(0, slash)}" (${names})`,
    }
  }

  return {
    count: async () => {
      const counts = await Promise.all(accounts.map((account) => account.deadLetters.count()))
      return counts.every((count) => count === undefined)
        ? undefined
        : counts.reduce<number>((sum, count) => sum + (count ?? 0), 0)
    },
    list: async (limit) => {
      const lists = await Promise.all(
        accounts.map(async (account) =>
          ((await account.deadLetters.list(limit)) ?? []).map(
            (letter): DeadLetter & { readonly account?: string } =>
              several
                ? { ...letter, id: accountLetterId(account.name, letter.id), account: account.name }
                : letter,
          ),
        ),
      )
      if (lists.length === 0) return undefined
      return lists
        .flat()
        .sort((a, b) => a.deadAt - b.deadAt)
        .slice(0, limit)
    },
    retry: (id) => act(id, (deadLetters, own) => deadLetters.retry(own)),
    drop: (id) => act(id, (deadLetters, own) => deadLetters.drop(own)),
  }
}
