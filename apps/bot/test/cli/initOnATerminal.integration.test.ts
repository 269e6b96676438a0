import { spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { parseConfig } from "../../src/config/loadConfig.js"

const CLI = new URL("../../bin/openpollen.js", import.meta.url).pathname
const DOWN = "\x1b[B"
const ENTER = "\r"

/** `openpollen init` on a pseudo-terminal (util-linux `script`), answering each prompt once it is on screen. */
const initOnTerminal = (
  cwd: string,
  answers: ReadonlyArray<{ readonly after: RegExp; readonly keys: string }>,
) =>
  new Promise<{ code: number | null; screen: string }>((resolve, reject) => {
    // A pseudo-terminal made by `script` from a pipe has no size; prompts would wrap after every character.
    const command = `stty cols 120 rows 40; ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} init`
    const child = spawn("script", ["-qfec", command, "/dev/null"], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: cwd, TERM: "xterm-256color" },
      stdio: ["pipe", "pipe", "pipe"],
    })
    let screen = ""
    let next = 0
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`init did not finish; the screen:\n${screen}`))
    }, 80_000)
    child.stdout.on("data", (chunk: Buffer) => {
      screen += chunk.toString()
      const answer = answers[next]
      if (answer?.after.test(screen)) {
        next += 1
        // Let the prompt finish drawing and switch the terminal to raw mode before the keys arrive.
        setTimeout(() => child.stdin.write(answer.keys), 300)
      }
    })
    child.once("exit", (code) => {
      clearTimeout(timer)
      resolve({ code, screen })
    })
  })

describe("openpollen init on a terminal", () => {
  const folder = mkdtempSync(join(tmpdir(), "openpollen-init-"))
  afterAll(() => rmSync(folder, { recursive: true, force: true }))

  it("asks with choices and writes plain JSON whose $schema is written next to it", async () => {
    const result = await initOnTerminal(folder, [
      { after: /In group chats/, keys: `${DOWN}${ENTER}` },
      { after: /Which agent/, keys: ENTER },
      { after: /Connect to DingTalk/, keys: "n" },
      { after: /Connect to DingTalk[\s\S]*No/, keys: ENTER },
    ])
    expect(result.code).toBe(0)
    const text = readFileSync(join(folder, "openpollen.json"), "utf8")
    const written = JSON.parse(text) as { $schema: string }
    const schema = JSON.parse(readFileSync(join(folder, written.$schema), "utf8")) as { properties: object }
    expect(Object.keys(schema.properties)).toContain("channels")
    const config = parseConfig(text, {})
    expect(config.dingtalk.groupPolicy).toBe("all")
    expect(config.agent.provider).toBe("echo")
    expect(config.dingtalk.enabled).toBe(false)
    expect(result.screen).not.toMatch(/set enabled: true/)
  }, 90_000)
})
