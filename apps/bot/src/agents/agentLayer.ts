import { AnthropicAgent } from "@openpollen/agent-anthropic"
import { EchoAgent } from "@openpollen/agent-echo"
import { OpenAiAgent } from "@openpollen/agent-openai"
import type { Agent, AgentMemory } from "@openpollen/core"
import type { Layer } from "effect"
import type { ResolvedConfig } from "../config/ResolvedConfig.js"

/** The agent `agent.provider` names; read_file may serve the uploads folder and the optional workspace. */
export const agentLayer = (config: ResolvedConfig): Layer.Layer<Agent, never, AgentMemory> => {
  const uploadsDir = config.dingtalk.uploads.dir
  const folders = [uploadsDir, ...(config.agent.workspace === undefined ? [] : [config.agent.workspace])]
  switch (config.agent.provider) {
    case "openai":
      return OpenAiAgent.layer({ ...config.agent.openai, folders })
    case "anthropic":
      return AnthropicAgent.layer({ ...config.agent.anthropic, folders })
    case "echo":
      return EchoAgent.layer({ uploadsDir, chunkDelayMs: config.agent.echo.chunkDelayMs })
  }
}
