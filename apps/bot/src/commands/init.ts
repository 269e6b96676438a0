import { existsSync, writeFileSync } from "node:fs"
import { createInterface } from "node:readline/promises"
import { FRIENDLY_REPLIES } from "@openpollen/core"
import { say } from "./output.js"

export const AGENT_CHOICES = ["echo", "openai", "anthropic"] as const

export interface InitAnswers {
  readonly groupPolicy: "mention" | "all"
  readonly agent: (typeof AGENT_CHOICES)[number]
  readonly enabled: boolean
}

/** A commented openpollen.json whose secrets come from environment variables. */
export const configTemplate = (
  answers: InitAnswers,
) => `// openpollen.json — JSON5: comments and trailing commas are fine.
// Secrets are read from environment variables: \${NAME} or \${NAME:-default}. Never paste them here.
{
  $schema: "./openpollen.schema.json",
  channels: {
    dingtalk: {
      // Turn on once DINGTALK_CLIENT_ID / DINGTALK_CLIENT_SECRET are exported. Without credentials,
      // \`openpollen start\` runs a local DingTalk sandbox instead.
      enabled: ${answers.enabled},
      clientId: "\${DINGTALK_CLIENT_ID:-}",
      clientSecret: "\${DINGTALK_CLIENT_SECRET:-}",
      // Empty means the clientId (internal-app robots).
      robotCode: "\${DINGTALK_ROBOT_CODE:-}",
      // "mention": answer group messages that @-mention the bot; "all": every group message.
      groupPolicy: "${answers.groupPolicy}",
      // Per-group settings by conversationId (cid…); "*" applies to every group, a group's own entry wins key by key:
      // enabled (false ignores the group), groupPolicy, systemPrompt (given to the agent), replyMode (markdown|card).
      groups: {
        "*": { enabled: true },
        // "cidXXXXXXXX==": { groupPolicy: "all", systemPrompt: "你是这个项目群的助手。" },
      },
      // Uncomment to answer people an allowlist refuses with one line (at most once per person and hour).
      // refusalMessage: "抱歉，你没有使用这个机器人的权限。",
      // The answer to message types the bot cannot read; "" stays silent.
      unsupportedMessageReply: ${JSON.stringify(FRIENDLY_REPLIES.unsupportedMessage)},
    },
  },
  agent: {
    provider: "${answers.agent}",${
      answers.agent === "openai"
        ? `
    openai: { baseUrl: "\${OPENAI_BASE_URL:-https://api.openai.com/v1}", apiKey: "\${OPENAI_API_KEY}", model: "\${OPENAI_MODEL:-gpt-4o-mini}" },`
        : answers.agent === "anthropic"
          ? `
    anthropic: { apiKey: "\${ANTHROPIC_API_KEY}", model: "\${ANTHROPIC_MODEL:-claude-sonnet-4-5}" },`
          : ""
    }
  },
  // The local gateway API (health, status, tests, proactive messages). Loopback only unless apiKey is set.
  gateway: { host: "127.0.0.1", port: 18800 },
}
`

const isAgentChoice = (agent: string): agent is InitAnswers["agent"] =>
  (AGENT_CHOICES as ReadonlyArray<string>).includes(agent)

const ask = async (question: string, choices: ReadonlyArray<string>, fallback: string): Promise<string> => {
  const rl = createInterface({ input: process.stdin, output: process.stdout })
  try {
    const answer = (await rl.question(`${question} [${choices.join("/")}] (${fallback}): `)).trim()
    return choices.includes(answer) ? answer : fallback
  } finally {
    rl.close()
  }
}

/** `openpollen init`: interactive on a terminal, or fully by flags. */
export const init = async (options: {
  readonly path: string
  readonly force: boolean
  readonly groupPolicy?: string
  readonly agent?: string
  readonly enabled?: boolean
}): Promise<number> => {
  if (existsSync(options.path) && !options.force) {
    say(`${options.path} already exists (use --force to overwrite)`)
    return 1
  }
  const interactive =
    process.stdin.isTTY === true && options.groupPolicy === undefined && options.agent === undefined
  const groupPolicy =
    options.groupPolicy ??
    (interactive ? await ask("Group policy", ["mention", "all"], "mention") : "mention")
  const agent = options.agent ?? (interactive ? await ask("Agent", AGENT_CHOICES, "echo") : "echo")
  if (groupPolicy !== "mention" && groupPolicy !== "all")
    throw new Error(`--group-policy must be mention or all`)
  if (!isAgentChoice(agent)) throw new Error(`--agent must be ${AGENT_CHOICES.join(", ")}`)
  writeFileSync(options.path, configTemplate({ groupPolicy, agent, enabled: options.enabled ?? false }), {
    mode: 0o600,
  })
  say(
    `wrote ${options.path}; export DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET, set enabled: true, then run: openpollen start`,
  )
  return 0
}
