import { openPollenVitest } from "../../vitest.shared.js"

export default openPollenVitest({ integrationSetup: ["test/setup/redisServer.ts"], hookTimeout: 120_000 })
