const PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  [/([?&]session=)[^&\s"'#]+/gi, "$1***"],
  [/([?&](?:access_token|ticket|appsecret)=)[^&\s"'#]+/gi, "$1***"],
  [
    /("(?:clientSecret|appSecret|accessToken|access_token|apiKey|authorization|ticket|x-acs-dingtalk-access-token)"\s*:\s*")[^"]*"/gi,
    '$1***"',
  ],
  [/(x-acs-dingtalk-access-token:\s*)[^\s"',]+/gi, "$1***"],
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, "$1***"],
]

/** Every pattern above needs one of these words: a line without any (most lines) skips the patterns. */
const MAY_HOLD_SECRET =
  /session=|access_token|ticket|appsecret|clientsecret|accesstoken|apikey|authorization|x-acs-dingtalk-access-token|bearer\s/i

/** Masks known secret values and secret-shaped fragments (webhook sessions, tokens) in a line of output. */
export const makeRedactor = (secrets: ReadonlyArray<string>) => {
  const known = secrets.filter((secret) => secret.length >= 4).sort((a, b) => b.length - a.length)
  return (line: string): string => {
    let out = line
    for (const secret of known) if (out.includes(secret)) out = out.replaceAll(secret, "***")
    if (!MAY_HOLD_SECRET.test(out)) return out
    for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement)
    return out
  }
}
