/** `tok-<family>-<5 digits>`: unique per message, never a substring of another token, untouched by reply shaping. */
export const token = (family: string, index: number): string =>
  `tok-${family}-${String(index).padStart(5, "0")}`

const TOKEN = /tok-[a-z0-9]+-\d{5}(?!\d)/g

/** Every token in a reply's text, as often as it occurs. */
export const tokensIn = (text: string): ReadonlyArray<string> => text.match(TOKEN) ?? []
