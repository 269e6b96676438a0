import type { Counters } from "./SimulatorApi.js"

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends ReadonlyArray<infer U> ? Array<U> : T[K] }

export type CounterState = Mutable<Omit<Counters, "liveConnections">>

export const emptyCounters = (): CounterState => ({
  gatewayOpens: 0,
  gatewayRejected: 0,
  upgradesRejected: 0,
  connectionsOpened: 0,
  tokenCalls: 0,
  legacyTokenCalls: 0,
  tokensIssued: 0,
  callbacksPushed: 0,
  redeliveries: 0,
  acks: 0,
  pingsSent: 0,
  pingEchoes: 0,
  badPingEchoes: 0,
  downloads: 0,
  webhookCalls: 0,
  groupSends: 0,
  batchSends: 0,
  mediaUploads: 0,
  ackLatenciesMs: [],
})
