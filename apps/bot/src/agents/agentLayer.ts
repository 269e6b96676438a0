import type { Agent, AgentMemory } from "@openpollen/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { ResolvedConfig } from "../config/ResolvedConfig.js"

/**
 * The agent `agent.provider` names; read_file may serve the uploads folder and the optional workspace. Only the
 * configured agent's package is loaded: each vendor's client costs start-up time and memory.
 */
export const agentLayer = (config: ResolvedConfig): Layer.Layer<Agent, never, AgentMemory> => {
  const uploadsDir = config.dingtalk.uploads.dir
  const folders = [uploadsDir, ...(config.agent.workspace === undefined ? [] : [config.agent.workspace])]
  const { agent } = config
  switch (agent.provider) {
    case "openai":
      return Layer.unwrap(
        Effect.map(
          Effect.promise(() => import("@openpollen/agent-openai")),
          ({ OpenAiAgent }) => OpenAiAgent.layer({ ...agent.openai, folders }),
        ),
      )
    case "anthropic":
      return Layer.unwrap(
        Effect.map(
          Effect.promise(() => import("@openpollen/agent-anthropic")),
          ({ AnthropicAgent }) => AnthropicAgent.layer({ ...agent.anthropic, folders }),
        ),
      )
    case "echo":
      return Layer.unwrap(
        Effect.map(
          Effect.promise(() => import("@openpollen/agent-echo")),
          ({ EchoAgent }) => EchoAgent.layer({ uploadsDir, chunkDelayMs: agent.echo.chunkDelayMs }),
        ),
      )
  }
}
