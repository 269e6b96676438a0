export interface Profile {
  readonly name: "full" | "smoke"
  /** Messages each bot answers before anything is measured, so the throughput rounds see them at their steady pace. */
  readonly warmupMessages: number
  readonly throughputMessages: number
  readonly throughputChats: number
  /** The throughput run is split into this many rounds, alternating which bot goes first. */
  readonly throughputRounds: number
  /** Each round is answered in this many turns per bot, the bots taking turns (`roundSchedule`). */
  readonly throughputSlices: number
  /** Unanswered messages in flight at most during throughput runs. */
  readonly window: number
  readonly latencyRatePerSecond: number
  readonly latencyMessages: number
  /** The fixed-rate run is repeated this many times per bot; the percentiles are medians over the runs. */
  readonly latencyRuns: number
  readonly reconnectIterations: number
  readonly disconnectGraceMs: number
  readonly memoryMessages: number
  readonly memoryChats: number
  readonly downloadBytes: number
  readonly coldStarts: number
  /** Messages to each of the card bot and the Markdown bot, one every cardMessageIntervalMs. */
  readonly cardMessages: number
  readonly cardMessageIntervalMs: number
  /** Conversations messaging the card bot at the same moment, against an org limit of cardOrgQps card calls/s. */
  readonly cardStormConversations: number
  readonly cardOrgQps: number
  /** Before measuring, how long to wait at most for the load average to fall within the load rule (a build just ran). */
  readonly loadSettleMs: number
}

const MB = 1024 * 1024

/** What the issue specifies; takes a few minutes. */
export const FULL: Profile = {
  name: "full",
  warmupMessages: 10_000,
  throughputMessages: 60_000,
  throughputChats: 1_000,
  throughputRounds: 6,
  throughputSlices: 4,
  window: 1_000,
  latencyRatePerSecond: 200,
  latencyMessages: 2_000,
  latencyRuns: 3,
  reconnectIterations: 3,
  disconnectGraceMs: 10_000,
  memoryMessages: 100_000,
  memoryChats: 20_000,
  downloadBytes: 50 * MB,
  coldStarts: 5,
  cardMessages: 20,
  cardMessageIntervalMs: 500,
  cardStormConversations: 50,
  cardOrgQps: 20,
  loadSettleMs: 90_000,
}

/** Every measurement, small: proves the benchmark works (CI runs it), not how fast anything is. */
export const SMOKE: Profile = {
  name: "smoke",
  warmupMessages: 200,
  throughputMessages: 2_000,
  throughputChats: 100,
  throughputRounds: 2,
  throughputSlices: 2,
  window: 100,
  latencyRatePerSecond: 200,
  latencyMessages: 200,
  latencyRuns: 1,
  reconnectIterations: 1,
  disconnectGraceMs: 1_000,
  memoryMessages: 5_000,
  memoryChats: 1_000,
  downloadBytes: 5 * MB,
  coldStarts: 1,
  cardMessages: 5,
  cardMessageIntervalMs: 500,
  cardStormConversations: 50,
  cardOrgQps: 20,
  loadSettleMs: 0,
}
