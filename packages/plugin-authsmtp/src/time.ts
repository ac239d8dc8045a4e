// UK time (Europe/London) from the time zone database, never a fixed offset.
const fmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'longOffset',
})

interface LondonParts {
  y: number
  mo: number
  d: number
  h: number
  mi: number
  s: number
  offsetMin: number
}

export function londonParts(ms: number): LondonParts {
  const p: Record<string, string> = {}
  for (const { type, value } of fmt.formatToParts(ms)) p[type] = value
  const off = /GMT(?:([+-])(\d\d):(\d\d))?/.exec(p.timeZoneName ?? 'GMT')
  const offsetMin = off?.[1] ? (off[1] === '-' ? -1 : 1) * (Number(off[2]) * 60 + Number(off[3])) : 0
  return { y: +p.year!, mo: +p.month!, d: +p.day!, h: +p.hour!, mi: +p.minute!, s: +p.second!, offsetMin }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

const wall = (p: LondonParts) =>
  `${pad(p.y, 4)}-${pad(p.mo)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`

// Intl's formatToParts costs microseconds: results are kept per second (bounded), as the text
// only changes with the second.
const memo = new Map<number, { wall: string; withOffset: string }>()
function formatted(ms: number) {
  const second = Math.floor(ms / 1000)
  let f = memo.get(second)
  if (!f) {
    const p = londonParts(ms)
    const a = Math.abs(p.offsetMin)
    const w = wall(p)
    f = { wall: w, withOffset: `${w} ${p.offsetMin < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}${pad(a % 60)}` }
    if (memo.size >= 4096) memo.delete(memo.keys().next().value as number)
    memo.set(second, f)
  }
  return f
}

/** `YYYY-MM-DD HH:MM:SS` in UK local time. */
export function formatLondon(ms: number): string {
  return formatted(ms).wall
}

/** `YYYY-MM-DD HH:MM:SS +0100`: UK local time and its offset. */
export function formatLondonWithOffset(ms: number): string {
  return formatted(ms).withOffset
}

/** Epoch ms of a UK local wall-clock time. */
export function londonToEpoch(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number {
  const guess = Date.UTC(y, mo - 1, d, h, mi, s)
  const first = guess - londonParts(guess).offsetMin * 60_000
  return guess - londonParts(first).offsetMin * 60_000
}

/** Parse `YYYY-MM-DD HH:MM:SS` (UK local) or an ISO date with zone. */
export function parseLondon(text: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)$/.exec(text)
  if (m) return londonToEpoch(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!)
  const t = Date.parse(text)
  if (Number.isNaN(t)) throw new Error(`not a date: "${text}"`)
  return t
}

/** The monthly anniversary of `createdAt` (UK midnight, clamped to month end) that follows `now`. */
export function nextAnniversaryAfter(createdAt: number, now: number): number {
  const c = londonParts(createdAt)
  const n = londonParts(now)
  let y = n.y
  let mo = n.mo
  for (;;) {
    const last = new Date(Date.UTC(y, mo, 0)).getUTCDate()
    const at = londonToEpoch(y, mo, Math.min(c.d, last))
    if (at > now) return at
    mo++
    if (mo > 12) {
      mo = 1
      y++
    }
  }
}
