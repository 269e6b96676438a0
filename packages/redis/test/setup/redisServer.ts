import type { TestProject } from "vitest/node"
import { startRedisServer } from "../../src/testing/redisServer.js"

export { freePort, type RedisServer, startRedisServer } from "../../src/testing/redisServer.js"

declare module "vitest" {
  export interface ProvidedContext {
    /** `redis://:<password>@127.0.0.1:<port>` of the redis-server started for this test run. */
    redisUrl: string
    redisPassword: string
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startRedisServer()
  project.provide("redisUrl", server.url)
  project.provide("redisPassword", server.password)
  return server.stop
}
