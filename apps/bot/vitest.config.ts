import { openPollenVitest } from "../../vitest.shared.js"

// The fault suite's files mostly wait on timers (a 60 s kill loop, a 30 s outage): four side by side keep it near
// 1.5 min on two cores without starving the bots they drive. It runs after the rest.
export default openPollenVitest({
  integrationSetup: ["test/setup/chromium.ts"],
  testTimeout: 30_000,
  extraIntegration: [
    { name: "fault", include: ["test/fault/**/*.integration.test.ts"], maxWorkers: 4 },
    // `pnpm start` runs turbo, which may rewrite dist/ that every other file's bots run from: it runs last, alone.
    { name: "terminal", include: ["test/cli/startCtrlC.integration.test.ts"], maxWorkers: 1 },
  ],
})
