/** Nearest-rank percentile of unsorted samples; NaN when there are none. */
export const percentile = (samples: ReadonlyArray<number>, p: number): number => {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number
}

/** The middle sample, or the mean of the two middle ones for an even count; NaN when there are none. */
export const median = (samples: ReadonlyArray<number>): number => {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const upper = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[upper] as number)
    : ((sorted[upper - 1] as number) + (sorted[upper] as number)) / 2
}

export const round = (value: number, digits = 1): number => {
  const scale = 10 ** digits
  return Math.round(value * scale) / scale
}

/** The most of `times` (ms, any order) that fall within one window of `windowMs` (start inclusive, end exclusive). */
export const mostWithin = (times: ReadonlyArray<number>, windowMs: number): number => {
  const sorted = [...times].sort((a, b) => a - b)
  let most = 0
  let start = 0
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start += 1
    most = Math.max(most, end - start + 1)
  }
  return most
}

/** The smallest and the largest of the samples: how far a figure moved over its rounds or launches. */
export const spread = (samples: ReadonlyArray<number>): [number, number] =>
  samples.length === 0 ? [Number.NaN, Number.NaN] : [Math.min(...samples), Math.max(...samples)]
