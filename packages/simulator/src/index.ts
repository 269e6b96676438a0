export { DEFAULT_APP } from "./Directory.js"
export type * from "./SimulatorApi.js"
export { startSimulator } from "./startSimulator.js"
