/** The agent's own system prompt, then the conversation's (a group's `systemPrompt`); "" when neither is set. */
export const systemPrompt = (own: string | undefined, conversation: string | undefined): string =>
  [own, conversation].filter((part) => part !== undefined && part.trim() !== "").join("\n\n")
