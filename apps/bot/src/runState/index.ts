export { RunState, runStatePath } from "./RunState.js"
export { type RunStateLookup, readRunState } from "./readRunState.js"
export { removeRunState, writeRunState } from "./writeRunState.js"
