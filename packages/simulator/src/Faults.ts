import type { Endpoint, EndpointFault } from "./SimulatorApi.js"

interface ActiveFault {
  readonly fault: EndpointFault
  remaining: number
}

/** Per-endpoint fault knobs; a fault with `times` wears off after that many requests. */
export class Faults {
  private readonly active = new Map<Endpoint, ActiveFault>()

  set(endpoint: Endpoint, fault: EndpointFault): void {
    this.active.set(endpoint, { fault, remaining: fault.times ?? Number.POSITIVE_INFINITY })
  }

  clear(endpoint?: Endpoint): void {
    if (endpoint === undefined) this.active.clear()
    else this.active.delete(endpoint)
  }

  /** The fault to apply to this request, counting it against `times`. */
  take(endpoint: Endpoint): EndpointFault | undefined {
    const entry = this.active.get(endpoint)
    if (entry === undefined) return undefined
    entry.remaining -= 1
    if (entry.remaining <= 0) this.active.delete(endpoint)
    return entry.fault
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.())
