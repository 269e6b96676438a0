import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"

export const CHROMIUM = "/usr/bin/chromium"

/** The browser tests need Debian's Chromium; install it when missing, and fail loudly if that is impossible. */
export default function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return
  process.stderr.write("test set-up: installing Debian's chromium for the sandbox browser test…\n")
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" }
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env })
  execFileSync("apt-get", ["install", "-y", "-qq", "chromium"], { stdio: "inherit", env })
  if (!existsSync(CHROMIUM)) throw new Error(`chromium is not at ${CHROMIUM} after installing it`)
}

/** Debian's Chromium, headless, without the network chatter of a first run (the page talks to loopback only). */
export const launchChromium = async () => {
  const { chromium } = await import("playwright-core")
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  })
}
