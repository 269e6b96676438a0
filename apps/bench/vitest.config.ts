import { openPollenVitest } from "../../vitest.shared.js"

// The smoke run drives the built bot (dist/), not its sources.
export default openPollenVitest({ fromSources: false, testTimeout: 180_000 })
