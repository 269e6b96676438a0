import type { Simulator } from "@openpollen/simulator"

// The config file holds literal `${VAR}` references: the bot, not this test, substitutes them.
export const envRef = (name: string) => "$" + `{${name}}`

/** `channels.dingtalk.accounts` with each account's credentials read from `<NAME>_ID` / `<NAME>_SECRET`. */
export const accountsConfig = (sim: Simulator, names: ReadonlyArray<string>) => ({
  channels: {
    dingtalk: {
      enabled: true,
      apiBase: sim.url,
      oapiBase: sim.url,
      accounts: Object.fromEntries(
        names.map((name) => [
          name,
          {
            clientId: envRef(`${name.toUpperCase()}_ID`),
            clientSecret: envRef(`${name.toUpperCase()}_SECRET`),
          },
        ]),
      ),
    },
  },
  agent: { provider: "echo" },
  gateway: { host: "127.0.0.1", port: 0 },
})
