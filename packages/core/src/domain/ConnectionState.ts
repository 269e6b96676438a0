export type ConnectionState =
  | { readonly _tag: "Idle" }
  | { readonly _tag: "Connecting"; readonly attempt: number; readonly since: number }
  | { readonly _tag: "Connected"; readonly since: number; readonly lastFrameAt: number }
  | {
      readonly _tag: "BackingOff"
      readonly attempt: number
      readonly retryAt: number
      readonly lastError: string
    }
  | { readonly _tag: "Stopped" }
