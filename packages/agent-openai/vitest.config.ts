import { defineConfig } from "vitest/config"

// Workspace packages resolve to their TypeScript sources, so tests never need a build of a dependency.
const conditions = ["@openpollen/source", "module", "node", "development|production"]

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["@openpollen/source"] } },
  test: { include: ["test/**/*.test.ts"], testTimeout: 20_000, hookTimeout: 60_000 },
})
