import { configDefaults, defineConfig } from "vitest/config"

// Workspace packages resolve to their TypeScript sources, so tests never need a build of a dependency.
const conditions = ["@openpollen/source", "module", "node", "development|production"]

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["@openpollen/source"] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "bot",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "test/fault/**"],
          globalSetup: ["test/setup/chromium.ts"],
        },
      },
      {
        // The fault suite's files mostly wait on timers (a 60 s kill loop, a 30 s outage): four side by side keep
        // the suite near 1.5 min on two cores without starving the bots they drive. They run after the rest.
        extends: true,
        test: {
          name: "fault",
          include: ["test/fault/**/*.test.ts"],
          maxWorkers: 4,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
