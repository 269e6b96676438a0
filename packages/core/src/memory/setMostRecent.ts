/**
 * Sets `key` as the most recently used entry of an insertion-ordered map and, past `maxEntries`, drops the least
 * recently used. It scans only when over the bound: a map's iterator steps over every entry deleted since its table
 * was last rebuilt, and every update here deletes one, so a scan per update walked up to a table's worth of them.
 */
export const setMostRecent = <K, V>(entries: Map<K, V>, key: K, value: V, maxEntries: number): void => {
  entries.delete(key)
  entries.set(key, value)
  if (entries.size <= maxEntries) return
  for (const oldest of entries.keys()) {
    if (entries.size <= maxEntries) break
    entries.delete(oldest)
  }
}
