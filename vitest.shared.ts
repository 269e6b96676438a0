import {
  configDefaults,
  defineConfig,
  type TestProjectInlineConfiguration,
  type ViteUserConfig,
} from "vitest/config"

// Workspace packages resolve to their TypeScript sources, so tests never need a build of a dependency.
const conditions = ["@openpollen/source", "module", "node", "development|production"]

const UNIT = "test/**/*.test.ts"
const INTEGRATION = "test/**/*.integration.test.ts"

export interface OpenPollenVitestOptions {
  /** Integration tests only: vitest globalSetup files (e.g. a redis-server for the whole run). */
  readonly integrationSetup?: ReadonlyArray<string>
  readonly testTimeout?: number
  readonly hookTimeout?: number
  /** Whether workspace packages resolve to their sources (default) or to their builds (apps that run dist/). */
  readonly fromSources?: boolean
  /** Further integration projects, named `integration:<name>`, run after the others, one group after another. */
  readonly extraIntegration?: ReadonlyArray<{
    readonly name: string
    readonly include: ReadonlyArray<string>
    readonly maxWorkers?: number
  }>
}

/**
 * The one vitest configuration of the workspace: two projects per package, `unit` (`*.test.ts`: pure and fast) and
 * `integration` (`*.integration.test.ts`: real processes over loopback), so `pnpm test:unit` and
 * `pnpm test:integration` run either alone and `pnpm test` runs both.
 */
export const openPollenVitest = (options: OpenPollenVitestOptions = {}): ViteUserConfig => {
  const extra = options.extraIntegration ?? []
  const extraIncludes = extra.flatMap((project) => project.include)
  const projects: Array<TestProjectInlineConfiguration> = [
    {
      extends: true,
      test: { name: "unit", include: [UNIT], exclude: [...configDefaults.exclude, INTEGRATION] },
    },
    {
      extends: true,
      test: {
        name: "integration",
        include: [INTEGRATION],
        exclude: [...configDefaults.exclude, ...extraIncludes],
        globalSetup: [...(options.integrationSetup ?? [])],
      },
    },
    ...extra.map(
      (project, index): TestProjectInlineConfiguration => ({
        extends: true,
        test: {
          name: `integration:${project.name}`,
          include: [...project.include],
          ...(project.maxWorkers === undefined ? {} : { maxWorkers: project.maxWorkers }),
          sequence: { groupOrder: index + 1 },
        },
      }),
    ),
  ]
  return defineConfig({
    ...(options.fromSources === false
      ? {}
      : {
          resolve: { conditions },
          ssr: { resolve: { conditions, externalConditions: ["@openpollen/source"] } },
        }),
    test: {
      testTimeout: options.testTimeout ?? 20_000,
      hookTimeout: options.hookTimeout ?? 60_000,
      passWithNoTests: true,
      projects,
    },
  })
}
