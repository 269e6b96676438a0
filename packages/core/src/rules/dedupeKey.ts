/**
 * Scoped by robot: bots @-mentioned together in one group message receive the same msgId. Built with `join`, which
 * makes one flat string: `+` or a template literal makes a rope of two strings that the memory store would keep for
 * its whole window (about 50 bytes more per remembered message).
 */
export const dedupeKey = (robotCode: string, message: { readonly messageId: string }): string =>
  [robotCode, message.messageId].join(":")
