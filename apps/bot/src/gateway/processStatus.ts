export interface ProcessStatus {
  readonly uptimeSeconds: number
  readonly rssMb: number
  readonly heapUsedMb: number
  /** Live libuv handles and requests by kind (`Timeout`, `TCPSocketWrap`, …): a leak shows up as growth here. */
  readonly activeResources: Readonly<Record<string, number>>
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10

export const processStatus = (): ProcessStatus => {
  const memory = process.memoryUsage()
  const activeResources: Record<string, number> = {}
  for (const kind of process.getActiveResourcesInfo())
    activeResources[kind] = (activeResources[kind] ?? 0) + 1
  return {
    uptimeSeconds: Math.round(process.uptime()),
    rssMb: mb(memory.rss),
    heapUsedMb: mb(memory.heapUsed),
    activeResources,
  }
}
