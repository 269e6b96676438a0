import { openPollenVitest } from "../../vitest.shared.js"

// The smoke run drives the built bot (dist/), not its sources; about 75 s on a quiet machine (a third of it the AI-card
// storm), much longer on a loaded one.
export default openPollenVitest({ fromSources: false, testTimeout: 300_000 })
