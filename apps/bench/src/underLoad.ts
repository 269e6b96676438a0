import type { RunningBot } from "./bots.js"
import type { Profile } from "./profiles.js"
import type { Chat, ReplyTracker } from "./ReplyTracker.js"
import { measureThroughput } from "./scenarios/throughput.js"

/** One bot under test, with the tracker and chats its messages go through. */
export interface Contender {
  readonly bot: RunningBot
  readonly tracker: ReplyTracker
  readonly chats: ReadonlyArray<Chat>
}

interface LoadTotals {
  readonly messages: number
  readonly elapsedMs: number
  readonly cpuMs: number
  readonly rssPeakMb: number
}

export interface LoadSummary {
  readonly repliesPerSecond: number
  readonly cpuMsPerMessage: number
  readonly rssPeakMb: number
}

const NO_LOAD: LoadTotals = { messages: 0, elapsedMs: 0, cpuMs: 0, rssPeakMb: 0 }

/** One closed-loop round, with the bot's CPU time and peak RSS while it lasted. */
const loadRound = async ({ bot, tracker, chats }: Contender, messages: number, window: number) => {
  bot.resetPeak()
  const cpuBefore = bot.cpuMs()
  const { elapsedMs } = await measureThroughput(tracker, bot.app, chats, messages, window)
  return { messages, elapsedMs, cpuMs: bot.cpuMs() - cpuBefore, rssPeakMb: bot.peakRssMb() }
}

const addRound = (totals: LoadTotals, round: LoadTotals): LoadTotals => ({
  messages: totals.messages + round.messages,
  elapsedMs: totals.elapsedMs + round.elapsedMs,
  cpuMs: totals.cpuMs + round.cpuMs,
  rssPeakMb: Math.max(totals.rssPeakMb, round.rssPeakMb),
})

/**
 * The throughput run in rounds that rotate which bot goes first, so drift in the machine's speed over the run
 * (frequency scaling, other load) does not favour whichever bot is measured first.
 */
export const underLoad = async (contenders: ReadonlyArray<Contender>, profile: Profile) => {
  const perRound = Math.ceil(profile.throughputMessages / profile.throughputRounds)
  const totals = contenders.map(() => NO_LOAD)
  for (let round = 0; round < profile.throughputRounds; round++)
    for (let step = 0; step < contenders.length; step++) {
      const index = (round + step) % contenders.length
      const contender = contenders[index] as Contender
      totals[index] = addRound(totals[index] ?? NO_LOAD, await loadRound(contender, perRound, profile.window))
    }
  return totals.map((total) => ({
    repliesPerSecond: total.messages / (total.elapsedMs / 1000),
    cpuMsPerMessage: total.cpuMs / total.messages,
    rssPeakMb: total.rssPeakMb,
  }))
}
