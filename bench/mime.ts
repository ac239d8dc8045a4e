// npm run bench:mime [-- --runs N]: CPU ms the MIME scan at DATA (packages/mail/src/mime-shape.ts)
// takes per message, for messages built to be its worst (packages/mail/test/mime-adversarial.ts), at
// the SMTP size limit (25 MiB) and at a quarter of it: a ratio near 4 is linear, far above it is not.
// CPU time of this process (process.cpuUsage), the best of N runs; the load average is printed with it.
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { mimeBeyondLimits } from '../packages/mail/src/mime-shape.ts'
import { SHAPES } from '../packages/mail/test/mime-adversarial.ts'

const { values: o } = parseArgs({ options: { runs: { type: 'string', default: '3' } } })
const runs = Number(o.runs)
const SIZE = 26_214_400 // SIZE at EHLO

function cpuMs(raw: Buffer): { ms: number; verdict: string | null } {
  let best = Number.POSITIVE_INFINITY
  let verdict: string | null = null
  for (let i = 0; i < runs; i++) {
    const t0 = process.cpuUsage()
    verdict = mimeBeyondLimits(raw)
    const t = process.cpuUsage(t0)
    best = Math.min(best, (t.user + t.system) / 1000)
  }
  return { ms: best, verdict }
}

console.log(
  `node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, best of ${runs}`,
)
console.log('shape | bytes | CPU ms (25 MiB) | CPU ms (6.25 MiB) | ratio | verdict')
for (const s of SHAPES) {
  const big = s.build(SIZE)
  const small = s.build(SIZE / 4)
  const a = cpuMs(big)
  const b = cpuMs(small)
  if (a.verdict !== s.verdict) throw new Error(`${s.name}: expected ${s.verdict}, got ${a.verdict}`)
  console.log(
    `${s.name} | ${big.length} | ${a.ms.toFixed(1)} | ${b.ms.toFixed(1)} | ${(a.ms / Math.max(b.ms, 0.001)).toFixed(1)} | ${a.verdict ?? 'accepted'}`,
  )
}
console.log(
  `load average after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
)
