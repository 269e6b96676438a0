export { MIN_IDLE_TIMEOUT_MS, MIN_KEEP_ALIVE_MS, STREAM_DEFAULTS } from "./defaults.js"
export {
  type StreamCounters,
  StreamDiagnostics,
  type StreamDiagnosticsSnapshot,
} from "./StreamDiagnostics.js"
export { StreamTransport, type StreamTransportConfig } from "./StreamTransport.js"
