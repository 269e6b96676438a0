import type { RunningBot } from "./bots.js"
import { cores, cpuSnapshot, foreignCpuShare } from "./machineLoad.js"
import type { Profile } from "./profiles.js"
import type { Chat, ReplyTracker } from "./ReplyTracker.js"
import { roundSchedule, splitEvenly } from "./roundSchedule.js"
import type { RoundFigures } from "./roundStats.js"
import { measureThroughput } from "./scenarios/throughput.js"

/** One bot under test, with the tracker and chats its messages go through. */
export interface Contender {
  readonly bot: RunningBot
  readonly tracker: ReplyTracker
  readonly chats: ReadonlyArray<Chat>
}

export interface LoadRounds {
  /** For each contender, in the order given, its figures in each round. */
  readonly rounds: ReadonlyArray<ReadonlyArray<RoundFigures>>
  /** For each contender, its highest resident set size over all rounds, in MB. */
  readonly rssPeakMb: ReadonlyArray<number>
  /** For each round, the share of the machine other processes used while it lasted (0 to 1). */
  readonly foreignCpuShareRounds: ReadonlyArray<number>
}

/** A bot's figures over several turns, as one. */
const sumFigures = (turns: ReadonlyArray<RoundFigures>): RoundFigures => {
  const total = (figure: keyof RoundFigures) => turns.reduce((sum, turn) => sum + turn[figure], 0)
  return {
    messages: total("messages"),
    elapsedMs: total("elapsedMs"),
    cpuMs: total("cpuMs"),
    mainThreadCpuMs: total("mainThreadCpuMs"),
  }
}

/** One closed-loop run of one bot, with the bot's CPU time while it lasted. */
const loadRound = async ({ bot, tracker, chats }: Contender, messages: number, window: number) => {
  const cpuBefore = bot.cpuMs()
  const mainThreadBefore = bot.mainThreadCpuMs()
  const { elapsedMs } = await measureThroughput(tracker, bot.app, chats, messages, window)
  return {
    messages,
    elapsedMs,
    cpuMs: bot.cpuMs() - cpuBefore,
    mainThreadCpuMs: bot.mainThreadCpuMs() - mainThreadBefore,
  }
}

/**
 * The throughput run in rounds, each made of turns in which every bot answers a slice of the round's messages
 * (`roundSchedule`), so drift in the machine's speed over the run (frequency scaling, other load) does not favour
 * whichever bot was measured when the machine was faster.
 */
export const underLoad = async (
  contenders: ReadonlyArray<Contender>,
  profile: Profile,
): Promise<LoadRounds> => {
  const perRound = Math.ceil(profile.throughputMessages / profile.throughputRounds)
  const machineCores = cores()
  const rounds = contenders.map((): Array<RoundFigures> => [])
  const foreignCpuShareRounds: Array<number> = []
  for (const contender of contenders) contender.bot.resetPeak()
  const slices = splitEvenly(perRound, profile.throughputSlices)
  for (let round = 0; round < profile.throughputRounds; round++) {
    const before = cpuSnapshot()
    const turns = contenders.map((): Array<RoundFigures> => [])
    for (const [slice, order] of roundSchedule(round, slices.length, contenders.length).entries())
      for (const index of order)
        turns[index]?.push(
          await loadRound(contenders[index] as Contender, slices[slice] ?? 0, profile.window),
        )
    for (const [index, own] of turns.entries()) rounds[index]?.push(sumFigures(own))
    foreignCpuShareRounds.push(foreignCpuShare(before, cpuSnapshot(), machineCores))
  }
  return {
    rounds,
    rssPeakMb: contenders.map((contender) => contender.bot.peakRssMb()),
    foreignCpuShareRounds,
  }
}
