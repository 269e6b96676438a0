/**
 * Scoped by robot: bots @-mentioned together in one group message receive the same msgId. The message's creation
 * time (`createAt`, the same in every delivery of it) comes before the msgId so that one robot's keys sort in the order
 * messages arrive: a store that keeps them in a B-tree (SQLite) then adds each key beside the last one instead of at a
 * random place, which was most of the pages a commit wrote. Built with `join`, which makes one flat string: `+` or a
 * template literal makes a rope of two strings that the memory store would keep for its whole window.
 */
export const dedupeKey = (
  robotCode: string,
  message: { readonly messageId: string; readonly createdAt: number },
): string => [robotCode, message.createdAt, message.messageId].join(":")
