/**
 * The order the contenders run in within one throughput round: `slices` turns each, every turn all of them one after
 * another, the first place moving on by one with each turn and each round. A round's figures for a contender are the
 * sum of its turns, so a few seconds of a faster or slower machine land on every contender of the round alike instead
 * of on whichever one was running then.
 */
export const roundSchedule = (
  round: number,
  slices: number,
  contenders: number,
): ReadonlyArray<ReadonlyArray<number>> =>
  Array.from({ length: Math.max(slices, 1) }, (_, slice) =>
    Array.from({ length: contenders }, (_, step) => (round + slice + step) % contenders),
  )

/** `total` split into `parts` whole numbers that differ by at most one and add up to it. */
export const splitEvenly = (total: number, parts: number): ReadonlyArray<number> => {
  const count = Math.max(parts, 1)
  return Array.from(
    { length: count },
    (_, index) => Math.floor((total * (index + 1)) / count) - Math.floor((total * index) / count),
  )
}
