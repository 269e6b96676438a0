import type { MachineLoadFigures } from "./MachineWatch.js"
import { round } from "./stats.js"

/** The bench's exit codes: the verdict, or why there is none. */
export const EXIT_CODE = { met: 0, missed: 1, refused: 2, failed: 3 } as const

/**
 * When the machine counts as too busy for a verdict. The bench itself keeps about two cores busy (the load generator
 * with the simulator, and the bot under test), so work by anything else takes CPU time straight from the figures.
 */
export const LOAD_RULE = {
  /** 1-minute load average before the run, per core: half a core already queued means a busy machine. */
  loadBeforePerCore: 0.5,
  /** Other processes' share of the machine's CPU capacity during a watched phase (throughput rounds, latency, cold start). */
  foreignShare: 0.15,
  /** The same within any one throughput round: one disturbed round decides the worst-round target. */
  foreignShareRound: 0.25,
} as const

const percent = (share: number) => `${round(share * 100)}%`

/** Why the machine was too busy to measure; empty when it was quiet enough. */
export const tooBusy = (machine: MachineLoadFigures): ReadonlyArray<string> => {
  const reasons: Array<string> = []
  const loadLimit = LOAD_RULE.loadBeforePerCore * machine.cores
  if (machine.machine_load_before > loadLimit)
    reasons.push(
      `load average ${round(machine.machine_load_before, 2)} before the run (limit ${loadLimit} on ${machine.cores} cores)`,
    )
  for (const [phase, share] of Object.entries(machine.machine_foreign_cpu_share_by_phase))
    if (share > LOAD_RULE.foreignShare)
      reasons.push(
        `other processes used ${percent(share)} of the CPU during ${phase.replace("_", " ")} (limit ${percent(LOAD_RULE.foreignShare)})`,
      )
  machine.machine_foreign_cpu_share_rounds.forEach((share, index) => {
    if (share > LOAD_RULE.foreignShareRound)
      reasons.push(
        `other processes used ${percent(share)} of the CPU in throughput round ${index + 1} (limit ${percent(LOAD_RULE.foreignShareRound)})`,
      )
  })
  return reasons
}

export interface Target<R> {
  readonly label: string
  readonly met: (result: R) => boolean
}

export type Verdict =
  | { readonly kind: "met" }
  | { readonly kind: "missed"; readonly missed: ReadonlyArray<string> }
  | { readonly kind: "refused"; readonly because: ReadonlyArray<string> }

/** A busy machine refuses the verdict whatever the targets say: a met target on it is no more proof than a miss. */
export const verdictOf = <R extends MachineLoadFigures>(
  result: R,
  targets: ReadonlyArray<Target<R>>,
): Verdict => {
  const because = tooBusy(result)
  if (because.length > 0) return { kind: "refused", because }
  const missed = targets.filter((target) => !target.met(result)).map((target) => target.label)
  return missed.length > 0 ? { kind: "missed", missed } : { kind: "met" }
}

export const describeVerdict = (verdict: Verdict): string => {
  switch (verdict.kind) {
    case "met":
      return "verdict: every target met"
    case "missed":
      return `verdict: ${verdict.missed.length} target(s) missed: ${verdict.missed.join("; ")}`
    case "refused":
      return `verdict refused: machine too busy to measure: ${verdict.because.join("; ")}; re-run on a quiet machine`
  }
}
