import { existsSync, writeFileSync } from "node:fs"
import { basename, dirname, join } from "node:path"
import { FRIENDLY_REPLIES, GROUP_POLICIES, type GroupPolicy } from "@openpollen/core"
import { ACCOUNT_NAME } from "../config/ConfigFile.js"
import { say } from "./output.js"
import { configJsonSchema } from "./schema.js"

export const AGENT_CHOICES = ["echo", "openai", "anthropic"] as const

export interface InitAnswers {
  readonly groupPolicy: GroupPolicy
  readonly agent: (typeof AGENT_CHOICES)[number]
  readonly enabled: boolean
  /** Several robots: one account each, its credentials from `<NAME>_CLIENT_ID` / `<NAME>_CLIENT_SECRET`. */
  readonly accounts?: ReadonlyArray<string>
}

/** `sales-eu` → `SALES_EU`: the prefix of an account's environment variables. */
const variablePrefix = (account: string) => account.toUpperCase().replace(/[^A-Z0-9]/g, "_")

const credentialVariables = (answers: InitAnswers): ReadonlyArray<string> =>
  answers.accounts === undefined || answers.accounts.length === 0
    ? ["DINGTALK_CLIENT_ID", "DINGTALK_CLIENT_SECRET"]
    : answers.accounts.flatMap((account) => [
        `${variablePrefix(account)}_CLIENT_ID`,
        `${variablePrefix(account)}_CLIENT_SECRET`,
      ])

const credentialKeys = (answers: InitAnswers) =>
  answers.accounts === undefined || answers.accounts.length === 0
    ? {
        clientId: env("DINGTALK_CLIENT_ID:-"),
        clientSecret: env("DINGTALK_CLIENT_SECRET:-"),
        robotCode: env("DINGTALK_ROBOT_CODE:-"),
      }
    : {
        accounts: Object.fromEntries(
          answers.accounts.map((account) => [
            account,
            {
              clientId: env(`${variablePrefix(account)}_CLIENT_ID`),
              clientSecret: env(`${variablePrefix(account)}_CLIENT_SECRET`),
            },
          ]),
        ),
      }

const SCHEMA_FILE = "openpollen.schema.json"
const env = (name: string) => "${" + name + "}"

/**
 * openpollen.json as plain JSON (quoted keys, no comments), so every editor accepts it; the descriptions of its keys
 * come from the JSON Schema it names. Secrets are `${VAR}` references, never values.
 */
export const configTemplate = (answers: InitAnswers): string =>
  `${JSON.stringify(
    {
      $schema: `./${SCHEMA_FILE}`,
      channels: {
        dingtalk: {
          enabled: answers.enabled,
          ...credentialKeys(answers),
          groupPolicy: answers.groupPolicy,
          // Per-group settings by conversationId; "*" applies to every group (see the schema for the keys).
          groups: { "*": { enabled: true } },
          unsupportedMessageReply: FRIENDLY_REPLIES.unsupportedMessage,
        },
      },
      agent: {
        provider: answers.agent,
        ...(answers.agent === "openai"
          ? {
              openai: {
                baseUrl: env("OPENAI_BASE_URL:-https://api.openai.com/v1"),
                apiKey: env("OPENAI_API_KEY"),
                model: env("OPENAI_MODEL:-gpt-4o-mini"),
              },
            }
          : answers.agent === "anthropic"
            ? {
                anthropic: {
                  apiKey: env("ANTHROPIC_API_KEY"),
                  model: env("ANTHROPIC_MODEL:-claude-sonnet-4-5"),
                },
              }
            : {}),
      },
      gateway: { host: "127.0.0.1", port: 18800 },
    },
    null,
    2,
  )}\n`

/** The questions on a terminal: choices from a list, so a typo cannot turn into some default. */
const askAll = async (given: Partial<InitAnswers>): Promise<InitAnswers | undefined> => {
  const { cancel, confirm, intro, isCancel, select } = await import("@clack/prompts")
  const stop = () => {
    cancel("nothing written")
    return undefined
  }
  intro("openpollen init")
  const groupPolicy =
    given.groupPolicy ??
    (await select({
      message: "In group chats, answer…",
      options: [
        { value: "mention" as const, label: "only messages that @-mention the bot", hint: "mention" },
        { value: "all" as const, label: "every message", hint: "all" },
      ],
    }))
  if (isCancel(groupPolicy)) return stop()
  const agent =
    given.agent ??
    (await select({
      message: "Which agent answers?",
      options: [
        { value: "echo" as const, label: "echo: sends the text back (try it out)" },
        { value: "openai" as const, label: "openai: any OpenAI-compatible chat endpoint" },
        { value: "anthropic" as const, label: "anthropic: Claude through the Messages API" },
      ],
    }))
  if (isCancel(agent)) return stop()
  const enabled =
    given.enabled ??
    (await confirm({
      message:
        "Connect to DingTalk (DINGTALK_CLIENT_ID / DINGTALK_CLIENT_SECRET)? No runs the local sandbox.",
      initialValue: true,
    }))
  if (isCancel(enabled)) return stop()
  return { groupPolicy, agent, enabled }
}

const isGroupPolicy = (value: string): value is GroupPolicy =>
  (GROUP_POLICIES as ReadonlyArray<string>).includes(value)
const isAgent = (value: string): value is InitAnswers["agent"] =>
  (AGENT_CHOICES as ReadonlyArray<string>).includes(value)

/** `openpollen init`: interactive on a terminal, or fully by flags. Writes the config and, next to it, its schema. */
export const init = async (options: {
  readonly path: string
  readonly force: boolean
  readonly groupPolicy?: string
  readonly agent?: string
  readonly enabled?: boolean
  readonly accounts?: ReadonlyArray<string>
}): Promise<number> => {
  if (existsSync(options.path) && !options.force) {
    say(`${options.path} already exists (use --force to overwrite)`)
    return 1
  }
  if (options.groupPolicy !== undefined && !isGroupPolicy(options.groupPolicy))
    throw new Error("--group-policy must be mention or all")
  if (options.agent !== undefined && !isAgent(options.agent))
    throw new Error(`--agent must be ${AGENT_CHOICES.join(", ")}`)
  const badName = options.accounts?.find((account) => !ACCOUNT_NAME.test(account))
  if (badName !== undefined)
    throw new Error(
      `--accounts: "${badName}" is not an account name (a letter, then letters, digits, - or _)`,
    )
  const given: Partial<InitAnswers> = {
    ...(options.groupPolicy === undefined ? {} : { groupPolicy: options.groupPolicy }),
    ...(options.agent === undefined ? {} : { agent: options.agent }),
    ...(options.enabled === undefined ? {} : { enabled: options.enabled }),
  }
  const interactive =
    process.stdin.isTTY === true && options.groupPolicy === undefined && options.agent === undefined
  const answers = interactive
    ? await askAll(given)
    : {
        groupPolicy: given.groupPolicy ?? "mention",
        agent: given.agent ?? "echo",
        enabled: given.enabled ?? false,
      }
  if (answers === undefined) return 1
  const written = options.accounts === undefined ? answers : { ...answers, accounts: options.accounts }
  writeFileSync(options.path, configTemplate(written), { mode: 0o600 })
  const schemaPath = join(dirname(options.path), SCHEMA_FILE)
  writeFileSync(schemaPath, `${JSON.stringify(configJsonSchema(), null, 2)}\n`)
  const variables = [
    ...credentialVariables(written),
    ...(answers.agent === "openai" ? ["OPENAI_API_KEY"] : []),
    ...(answers.agent === "anthropic" ? ["ANTHROPIC_API_KEY"] : []),
  ]
  say(`wrote ${options.path} (and ${basename(schemaPath)}, which editors use to check and complete it)`)
  say(
    answers.enabled
      ? `next: export ${variables.join(" and ")}, then run: openpollen start`
      : "next: openpollen start runs the local DingTalk sandbox; to connect to DingTalk, rerun init with --enabled --force",
  )
  return 0
}
