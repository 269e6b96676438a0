/** What the agent produced, before it is shaped for DingTalk. */
export interface OutboundReply {
  readonly title: string
  readonly markdown: string
  /** staffIds to @-mention. */
  readonly atUserIds: ReadonlyArray<string>
}

/** One DingTalk markdown message, ready for a wire: it already fits the budget of the route it is sent on. */
export interface MarkdownMessage {
  readonly title: string
  readonly text: string
  readonly atUserIds: ReadonlyArray<string>
}
