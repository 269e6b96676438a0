import { resolve } from "node:path"
import { parseArgs } from "node:util"
import { complain, EXIT, say, UsageError } from "./commands/output.js"
import { ConfigError, loadConfig } from "./config/loadConfig.js"

const HELP: Record<string, string> = {
  main: `openpollen — connects an AI agent to DingTalk (Stream mode)

Usage: openpollen <command> [options]

Commands:
  start                      run the bot (the local DingTalk sandbox when no credentials are configured)
  channel list               configured channels and, when the bot runs, their live state
  channel test dingtalk      check credentials and the Stream connection; --to <conversationId|staffId> sends a test message;
                             --account NAME tests one account (default: all)
  init                       write a commented openpollen.json
  doctor                     check config, credentials and connectivity
  deadletters list           messages the store gave up on (ids only); retry <id> or drop <id> them
  schema                     print the JSON Schema of openpollen.json

Options: --config FILE (else $OPENPOLLEN_CONFIG, ./openpollen.json, ~/.openpollen/openpollen.json), -h/--help
Exit codes: 0 ok, 1 a check or the run failed, 2 bad usage or configuration`,
  start: `Usage: openpollen start [--config FILE]
Runs in the foreground. SIGINT / SIGTERM finish replies in flight (up to 10 s), close connections and exit 0,
or 1 when the memory store loses messages still unanswered.`,
  channel: `Usage: openpollen channel list [--config FILE]
       openpollen channel test dingtalk [--account NAME] [--to <conversationId|staffId>] [--config FILE]
The test runs inside the running bot, through its gateway API.`,
  init: `Usage: openpollen init [--path openpollen.json] [--group-policy mention|all] [--agent echo|openai|anthropic] [--enabled] [--accounts a,b] [--force]
Interactive on a terminal unless --group-policy or --agent is given. --accounts writes one robot per name, its
credentials from <NAME>_CLIENT_ID / <NAME>_CLIENT_SECRET.`,
  doctor: `Usage: openpollen doctor [--config FILE] [--trust-config]
Credentials are sent only to DingTalk (or loopback) unless --trust-config vouches for the config's apiBase.`,
  deadletters: `Usage: openpollen deadletters list|retry <id>|drop <id> [--config FILE]
Messages handed out store.maxDeliveries times without an answer (sqlite and redis stores), through the running bot.`,
  schema: "Usage: openpollen schema > openpollen.schema.json",
}

/**
 * Under `pnpm openpollen …` / `pnpm start` the package script runs in apps/bot; pnpm passes the caller's directory as
 * INIT_CWD. Only those scripts: INIT_CWD is inherited by every child of any pnpm run.
 */
const callerDirectory = () => {
  const script = process.env.npm_lifecycle_event
  const caller = process.env.INIT_CWD
  return (script === "cli" || script === "start") && caller !== undefined && caller !== ""
    ? caller
    : process.cwd()
}

const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      config: { type: "string" },
      to: { type: "string" },
      account: { type: "string" },
      path: { type: "string" },
      "group-policy": { type: "string" },
      agent: { type: "string" },
      accounts: { type: "string" },
      enabled: { type: "boolean" },
      force: { type: "boolean" },
      "trust-config": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  })
  const [command, ...rest] = positionals
  if (command === undefined || command === "help") {
    say(HELP.main ?? "")
    return EXIT.ok
  }
  if (values.help) {
    say(HELP[command] ?? HELP.main ?? "")
    return EXIT.ok
  }
  const config = () =>
    loadConfig({
      ...(values.config === undefined ? {} : { explicit: values.config }),
      env: process.env,
      cwd: callerDirectory(),
    })
  // Each command loads only its own modules: `start` starts faster without init's prompts or the schema generator.
  switch (command) {
    case "start": {
      const { start } = await import("./commands/start.js")
      return start(config())
    }
    case "channel": {
      const { channelList, channelTest } = await import("./commands/channel.js")
      if (rest[0] === "list") return channelList(config())
      if (rest[0] === "test") return channelTest(config(), rest[1], values.to, values.account)
      throw new UsageError(`unknown channel subcommand "${rest[0] ?? ""}" (list, test)`)
    }
    case "init": {
      const { init } = await import("./commands/init.js")
      return init({
        path: resolve(callerDirectory(), values.path ?? "openpollen.json"),
        force: values.force ?? false,
        ...(values["group-policy"] === undefined ? {} : { groupPolicy: values["group-policy"] }),
        ...(values.agent === undefined ? {} : { agent: values.agent }),
        ...(values.enabled === undefined ? {} : { enabled: values.enabled }),
        ...(values.accounts === undefined
          ? {}
          : { accounts: values.accounts.split(",").map((name) => name.trim()) }),
      })
    }
    case "deadletters": {
      const { deadletters } = await import("./commands/deadletters.js")
      return deadletters(config(), rest[0], rest[1])
    }
    case "doctor": {
      const { doctor, doctorOfInvalidConfig } = await import("./commands/doctor.js")
      let loaded: ReturnType<typeof config>
      try {
        loaded = config()
      } catch (error) {
        if (error instanceof ConfigError) return doctorOfInvalidConfig(error)
        throw error
      }
      return doctor(loaded, { trustConfig: values["trust-config"] ?? false })
    }
    case "schema": {
      const { configJsonSchema } = await import("./commands/schema.js")
      say(JSON.stringify(configJsonSchema(), null, 2))
      return EXIT.ok
    }
    default:
      throw new UsageError(`unknown command "${command}"`)
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) {
      complain(`openpollen: invalid configuration in ${error.source ?? "openpollen.json"}:`)
      for (const problem of error.problems) complain(`  - ${problem}`)
      process.exit(EXIT.usage)
    }
    if (
      error instanceof UsageError ||
      (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))
    ) {
      complain(`openpollen: ${error.message}\nRun \`openpollen --help\`.`)
      process.exit(EXIT.usage)
    }
    complain(`openpollen: ${error instanceof Error ? error.message : "failed"}`)
    process.exit(EXIT.failure)
  },
)
