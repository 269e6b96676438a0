/** What users see when something failed inside: never internal detail. */
export const FRIENDLY_REPLIES = {
  agentFailed: "抱歉，处理你的消息时出了点问题，请稍后再试。",
  downloadFailed: "抱歉，你发送的附件没能下载下来，请重新发送一次。",
  sessionReset: "好的，已开始新的对话。",
  resetFailed: "抱歉，没能清空之前的对话，请稍后再试。",
  /** The default of `unsupportedMessageReply`. */
  unsupportedMessage:
    "抱歉，我暂时还看不懂这类消息，请发文字、图片或文件。(Sorry, I can't read this kind of message yet: please send text, a picture or a file.)",
} as const

export const RESET_COMMANDS: ReadonlyArray<string> = ["/new", "/reset"]
