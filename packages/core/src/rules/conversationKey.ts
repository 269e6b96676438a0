/**
 * The key of a conversation as one robot sees it: each robot has its own session webhook and its own lease in a group
 * it shares with others. Joined flat, as `dedupeKey` is.
 */
export const conversationKey = (robotCode: string, conversationId: string): string =>
  [robotCode, conversationId].join(":")
