import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { accessSync, constants } from "node:fs"
import { createServer } from "node:net"
import { delimiter, join } from "node:path"

// Test support for anything that needs a real Redis: this package's integration tests and the bot's scale-out test.

export interface RedisServer {
  readonly url: string
  readonly password: string
  readonly port: number
  readonly stop: () => Promise<void>
}

const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

const locate = (): string | undefined =>
  [
    ...(process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, "redis-server")),
    "/usr/bin/redis-server",
  ].find(isExecutable)

/** Debian's redis-server, installed with apt-get when missing; throws a clear message when that is impossible. */
export const ensureRedisServer = (): string => {
  const found = locate()
  if (found !== undefined) return found
  process.stderr.write("test set-up: installing Debian's redis-server for the Redis tests…\n")
  const asRoot = process.getuid?.() === 0
  const run = (args: Array<string>) =>
    asRoot
      ? execFileSync("apt-get", args, {
          stdio: "inherit",
          env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
        })
      : execFileSync("sudo", ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", ...args], {
          stdio: "inherit",
        })
  try {
    run(["update", "-qq"])
    run(["install", "-y", "-qq", "redis-server"])
  } catch (error) {
    throw new Error(
      "The Redis tests need Debian's redis-server on PATH, and installing it with " +
        `apt-get failed (${error instanceof Error ? error.message : String(error)}). ` +
        "Install it with `apt-get install -y redis-server` and run the tests again.",
    )
  }
  const installed = locate()
  if (installed === undefined)
    throw new Error("apt-get installed redis-server, but no redis-server executable is on PATH")
  return installed
}

export const freePort = (): Promise<number> =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() =>
        typeof address === "object" && address !== null
          ? resolve(address.port)
          : reject(new Error("no port")),
      )
    })
  })

const waitUntilReady = (child: ChildProcess, port: number) =>
  new Promise<void>((resolve, reject) => {
    let output = ""
    const timer = setTimeout(
      () => fail(new Error(`redis-server on port ${port} not ready after 10 s`)),
      10_000,
    )
    const fail = (error: Error) => {
      clearTimeout(timer)
      reject(new Error(`${error.message}\n${output.slice(-2_000)}`))
    }
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once("error", fail)
    child.once("exit", (code, signal) => fail(new Error(`redis-server exited early (${code ?? signal})`)))
  })

/** Starts a throwaway redis-server on a free loopback port: no persistence, a random password. */
export const startRedisServer = async (
  options: { readonly port?: number; readonly password?: string } = {},
): Promise<RedisServer> => {
  const binary = ensureRedisServer()
  const password = options.password ?? randomBytes(12).toString("hex")
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort())
    const child = spawn(
      binary,
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--requirepass",
        password,
        "--save",
        "",
        "--appendonly",
        "no",
        "--daemonize",
        "no",
        "--loglevel",
        "notice",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    )
    try {
      await waitUntilReady(child, port)
    } catch (error) {
      child.kill("SIGKILL")
      if (attempt < 3 && options.port === undefined) continue
      throw error
    }
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
    return {
      url: `redis://:${password}@127.0.0.1:${port}`,
      password,
      port,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill("SIGKILL")
          await exited
        }
      },
    }
  }
}
