import { cores, cpuSnapshot, foreignCpuShare, loadAverage } from "./machineLoad.js"
import { sleep } from "./ReplyTracker.js"
import { LOAD_RULE } from "./verdict.js"

/** The phases whose figures depend on CPU time being available, each watched for other processes' work. */
export type WatchedPhase = "cold_start" | "throughput" | "latency"

export interface MachineLoadFigures {
  readonly cores: number
  /** The 1-minute load average just before the bench started measuring. */
  readonly machine_load_before: number
  /** The highest 1-minute load average read at the phases' ends; it includes the bench's own processes. */
  readonly machine_load_max: number
  /** The share of the machine's CPU capacity other processes used during the throughput rounds (0 to 1). */
  readonly machine_foreign_cpu_share: number
  readonly machine_foreign_cpu_share_rounds: ReadonlyArray<number>
  readonly machine_foreign_cpu_share_max: number
  readonly machine_foreign_cpu_share_by_phase: Readonly<Record<WatchedPhase, number>>
}

const SETTLE_POLL_MS = 5_000

/** Records the machine's load before the run and what other processes used during each watched phase. */
export class MachineWatch {
  private readonly byPhase: Partial<Record<WatchedPhase, number>> = {}
  private loadMax: number

  private constructor(
    readonly cores: number,
    private readonly loadBefore: number,
  ) {
    this.loadMax = loadBefore
  }

  /**
   * Starts watching once the 1-minute load average is within the load rule, waiting `settleMs` at most: it decays
   * over about a minute, so a build just before the run (`pnpm bench` runs one) would otherwise count as load.
   */
  static async start(settleMs: number, say: (message: string) => void): Promise<MachineWatch> {
    const machineCores = cores()
    const limit = LOAD_RULE.loadBeforePerCore * machineCores
    const deadline = Date.now() + settleMs
    if (loadAverage() > limit && settleMs > 0)
      say(`load average ${loadAverage()}; waiting up to ${settleMs / 1000} s for it to fall to ${limit}`)
    while (loadAverage() > limit && Date.now() < deadline) await sleep(SETTLE_POLL_MS)
    return new MachineWatch(machineCores, loadAverage())
  }

  async phase<A>(name: WatchedPhase, run: () => Promise<A>): Promise<A> {
    const before = cpuSnapshot()
    const result = await run()
    this.byPhase[name] = foreignCpuShare(before, cpuSnapshot(), this.cores)
    this.loadMax = Math.max(this.loadMax, loadAverage())
    return result
  }

  /** `throughputRounds`: the foreign share in each throughput round, which the rounds measure themselves. */
  figures(throughputRounds: ReadonlyArray<number>): MachineLoadFigures {
    const share = (phase: WatchedPhase) => this.byPhase[phase] ?? Number.NaN
    return {
      cores: this.cores,
      machine_load_before: this.loadBefore,
      machine_load_max: this.loadMax,
      machine_foreign_cpu_share: share("throughput"),
      machine_foreign_cpu_share_rounds: throughputRounds,
      machine_foreign_cpu_share_max: Math.max(...throughputRounds),
      machine_foreign_cpu_share_by_phase: {
        cold_start: share("cold_start"),
        throughput: share("throughput"),
        latency: share("latency"),
      },
    }
  }
}
