/** Exponential backoff with "equal jitter": half the ceiling fixed, half random; never above the cap. */
export const backoffDelay = (
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number => {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30))
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}
