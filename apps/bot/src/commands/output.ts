const colour = (code: string) => (text: string) =>
  process.stdout.isTTY ? `\x1b[${code}m${text}\x1b[0m` : text

export const paint = {
  green: colour("32"),
  red: colour("31"),
  yellow: colour("33"),
  dim: colour("90"),
  bold: colour("1"),
}

export const say = (line: string) => process.stdout.write(`${line}\n`)
export const complain = (line: string) => process.stderr.write(`${line}\n`)

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const

export class UsageError extends Error {}
