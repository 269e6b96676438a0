/** Scoped by robot: bots @-mentioned together in one group message receive the same msgId. */
export const dedupeKey = (robotCode: string, message: { readonly messageId: string }): string =>
  `${robotCode}:${message.messageId}`
