import { round } from "./stats.js"

/** What the chart shows: each bot's throughput in each round, and each bot's p99 at the fixed rate. */
export interface ChartData {
  readonly profile: string
  readonly throughput_rounds: ReadonlyArray<number>
  readonly baseline_throughput_rounds: ReadonlyArray<number>
  readonly sqlite_throughput_rounds: ReadonlyArray<number>
  readonly p99_ms: number
  readonly baseline_p99_ms: number
  readonly sqlite_p99_ms: number
}

const SERIES = [
  { name: "openpollen", colour: "#2f6fdb" },
  { name: "baseline SDK bot", colour: "#8a8a8a" },
  { name: "openpollen, SQLite store", colour: "#e08a1e" },
] as const

const WIDTH = 760
const HEIGHT = 320
const TOP = 60
const BOTTOM = 270
export const PLOT_HEIGHT = BOTTOM - TOP

interface Panel {
  readonly title: string
  readonly left: number
  readonly right: number
  /** Groups of bars along the x axis, each with its label and one value per series. */
  readonly groups: ReadonlyArray<{
    readonly label: string
    readonly values: ReadonlyArray<number>
    /** Written above the group. */
    readonly note?: string
  }>
}

/** The smallest of 1, 2, 2.5, 5 × a power of ten at or above `value`, so the axis ends on a round number. */
export const axisMaximum = (value: number): number => {
  if (!(value > 0) || !Number.isFinite(value)) return 1
  const power = 10 ** Math.floor(Math.log10(value))
  const step = [1, 2, 2.5, 5, 10].find((factor) => factor * power >= value) ?? 10
  return step * power
}

const escapeXml = (value: string) => value.replace(/[&<>"]/g, (character) => `&#${character.charCodeAt(0)};`)

const finite = (value: number) => (Number.isFinite(value) && value > 0 ? value : 0)

const text = (x: number, y: number, content: string, attributes = "") =>
  `<text x="${round(x)}" y="${round(y)}"${attributes ? ` ${attributes}` : ""}>${content}</text>`

const panel = ({ title, left, right, groups }: Panel): ReadonlyArray<string> => {
  const maximum = axisMaximum(Math.max(0, ...groups.flatMap((group) => group.values.map(finite))))
  const groupWidth = (right - left) / Math.max(1, groups.length)
  const barWidth = (groupWidth * 0.8) / SERIES.length
  const parts = [
    text(left, TOP - 30, title, 'font-weight="bold"'),
    `<line x1="${left}" y1="${BOTTOM}" x2="${right}" y2="${BOTTOM}" stroke="#333"/>`,
    `<line x1="${left}" y1="${TOP}" x2="${left}" y2="${BOTTOM}" stroke="#333"/>`,
    ...[0, 0.5, 1].map((fraction) =>
      text(
        left - 6,
        BOTTOM - fraction * PLOT_HEIGHT + 4,
        String(round(maximum * fraction)),
        'text-anchor="end"',
      ),
    ),
  ]
  groups.forEach((group, groupIndex) => {
    const groupLeft = left + groupIndex * groupWidth + groupWidth * 0.1
    group.values.forEach((value, seriesIndex) => {
      const height = (finite(value) / maximum) * PLOT_HEIGHT
      const x = groupLeft + seriesIndex * barWidth
      const series = SERIES[seriesIndex] ?? SERIES[0]
      parts.push(
        `<rect class="bar" data-panel="${title}" data-group="${group.label}" data-series="${series.name}" ` +
          `data-value="${round(value, 2)}" x="${round(x, 2)}" y="${round(BOTTOM - height, 2)}" ` +
          `width="${round(barWidth * 0.9, 2)}" height="${round(height, 2)}" fill="${series.colour}">` +
          `<title>${series.name}, ${group.label}: ${round(value, 2)}</title></rect>`,
      )
    })
    const middle = groupLeft + (barWidth * SERIES.length) / 2
    parts.push(text(middle, BOTTOM + 16, group.label, 'text-anchor="middle"'))
    if (group.note !== undefined)
      parts.push(text(middle, TOP - 8, group.note, 'text-anchor="middle" fill="#444"'))
  })
  return parts
}

/** The bench's chart as a standalone SVG document: throughput per round (left) and p99 latency (right). */
export const renderChart = (data: ChartData): string => {
  const rounds = Math.max(
    data.throughput_rounds.length,
    data.baseline_throughput_rounds.length,
    data.sqlite_throughput_rounds.length,
  )
  const throughput = panel({
    title: "throughput per round (replies/s), openpollen / baseline above",
    left: 60,
    right: 500,
    groups: Array.from({ length: rounds }, (_, index) => ({
      label: `round ${index + 1}`,
      note: `ratio ${round((data.throughput_rounds[index] ?? 0) / (data.baseline_throughput_rounds[index] ?? 0), 2)}`,
      values: [
        data.throughput_rounds[index] ?? 0,
        data.baseline_throughput_rounds[index] ?? 0,
        data.sqlite_throughput_rounds[index] ?? 0,
      ],
    })),
  })
  const latency = panel({
    title: "p99 latency at a fixed rate (ms)",
    left: 570,
    right: 740,
    groups: [{ label: "fixed rate", values: [data.p99_ms, data.baseline_p99_ms, data.sqlite_p99_ms] }],
  })
  const legend = SERIES.map(
    (series, index) =>
      `<rect x="${60 + index * 200}" y="${HEIGHT - 22}" width="12" height="12" fill="${series.colour}"/>` +
      text(78 + index * 200, HEIGHT - 12, series.name),
  )
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
      `font-family="sans-serif" font-size="11">`,
    "<title>pnpm bench: throughput per round and p99 latency, openpollen against the baseline SDK bot</title>",
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    text(WIDTH - 10, 14, `pnpm bench, ${escapeXml(data.profile)} profile`, 'text-anchor="end" fill="#666"'),
    ...throughput,
    ...latency,
    ...legend,
    "</svg>",
    "",
  ].join("\n")
}
