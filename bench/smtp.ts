import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import autocannon from 'autocannon'
import nodemailer from 'nodemailer'
import { type Proc, sleep, startProc } from './procs.ts'

export interface SmtpBench {
  clients: number
  message_bytes: number
  seconds: number
  accepted: number
  refused: number
  messages_per_s: number
  /** Server CPU time per accepted message (also the HTTP load's): what a busy machine cannot hide. */
  server_cpu_ms_per_message: number | null
  /** All accepted messages captured (delivered) by the end. */
  delivered: number
  /** p99 of a steady 100 req/s on AuthSMTP basic_user, on the idle server and during the SMTP load. */
  http: { idle_p99_ms: number; loaded_p99_ms: number; loaded_rps: number }
  goal: { messages_per_s: number }
  met: boolean
}

const CLIENTS = 10
// A bench account with limits out of the way: the per-message accounting still runs.
const FIXTURES = {
  authsmtp: {
    accounts: [
      {
        user_id: 'bench',
        api_password: 'bench-api-password',
        smtp_password: 'bench-smtp-password',
        messages_limit: '1000000000',
        data_limit: '1000000000000',
        max_message_size: 10485760,
      },
    ],
  },
}

/** CPU time a process has used, in ms (Linux /proc; null elsewhere). Clock ticks are 100 Hz. */
function cpuMs(pid: number): number | null {
  const f = `/proc/${pid}/stat`
  if (!existsSync(f)) return null
  const fields = readFileSync(f, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port
      s.close(() => resolve(p))
    })
  })
}

/**
 * A 2 KB message, composed once by nodemailer; each send only changes its number, so the load
 * generator spends its time on SMTP, not on MIME composition.
 */
async function template(): Promise<string> {
  const t = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' })
  const compose = async (chars: number) => {
    const line = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\n'
    const info = await t.sendMail({
      from: 'App <app@example.com>',
      to: 'user@example.org',
      subject: 'Your order #NUMBER',
      messageId: '<order-NUMBER@example.com>',
      text: line.repeat(Math.ceil(chars / line.length)).slice(0, chars),
    })
    return (info.message as Buffer).toString()
  }
  // Two passes: the body grows by what the headers and line endings leave short of 2,048 bytes.
  const first = await compose(1500)
  return compose(1500 + 2048 - Buffer.byteLength(first.replaceAll('NUMBER', '00000000')))
}

function message(tpl: string, i: number) {
  const n = String(i).padStart(8, '0')
  return {
    envelope: { from: 'app@example.com', to: [`user${i % 1000}@example.org`] },
    raw: tpl.replaceAll('NUMBER', n),
  }
}

async function httpLoad(url: string, auth: string, seconds: number) {
  // A steady light load (100 req/s): it measures what the SMTP load does to HTTP latency,
  // without competing with it for throughput.
  const r = await autocannon({
    url: `${url}/restful/basic_user/bench`,
    connections: 4,
    overallRate: 100,
    duration: seconds,
    headers: { Authorization: auth },
  })
  return { p99: r.latency.p99, rps: Math.round(r.requests.average) }
}

/**
 * 10 concurrent SMTP clients (one connection each, AUTH once, then message after message) send
 * 2 KB messages to a capture-mode server on SQLite for `seconds`; meanwhile an HTTP endpoint is
 * loaded lightly, and its p99 is compared with the same load on the idle server.
 */
export async function benchSmtp(
  bin: string,
  env: Record<string, string>,
  dataDir: string,
  seconds: number,
  nodeArgs: string[] = [],
): Promise<{ result: SmtpBench; proc: Proc }> {
  const fixtures = join(dataDir, 'bench-fixtures.json')
  writeFileSync(fixtures, JSON.stringify(FIXTURES))
  const port = await freePort()
  const proc = await startProc([...nodeArgs, bin, 'serve'], {
    ...env,
    MAILFRONT_DATA_DIR: dataDir,
    MAILFRONT_FIXTURES: fixtures,
    MAILFRONT_SMTP_PORT: String(port),
    MAILFRONT_MAIL_DELIVERY: 'capture',
    MAILFRONT_SMTP_MAX_CLIENTS: String(CLIENTS + 2),
  })
  const auth = `Basic ${Buffer.from('bench:bench-api-password').toString('base64')}`
  await httpLoad(proc.url, auth, 1) // warm-up
  const idle = await httpLoad(proc.url, auth, seconds)
  await sleep(500)

  const transports = Array.from({ length: CLIENTS }, () =>
    nodemailer.createTransport({
      host: '127.0.0.1',
      port,
      pool: true,
      maxConnections: 1,
      maxMessages: Number.POSITIVE_INFINITY,
      // Loopback without TLS (the bench server runs MAILFRONT_TLS=off): AUTH is allowed there.
      ignoreTLS: true,
      auth: { user: 'bench', pass: 'bench-smtp-password' },
    }),
  )
  const tpl = await template()
  // Warm-up: every client connects and authenticates once.
  await Promise.all(transports.map((t, i) => t.sendMail(message(tpl, i))))
  let accepted = 0
  let refused = 0
  let seq = 0
  const cpu0 = cpuMs(proc.child.pid!)
  const t0 = performance.now()
  const end = t0 + seconds * 1000
  const loaded = httpLoad(proc.url, auth, seconds)
  await Promise.all(
    transports.map(async (t) => {
      while (performance.now() < end) {
        try {
          await t.sendMail(message(tpl, seq++))
          accepted++
        } catch {
          refused++
        }
      }
    }),
  )
  const elapsed = (performance.now() - t0) / 1000
  const http = await loaded
  const cpu1 = cpuMs(proc.child.pid!)
  for (const t of transports) t.close()

  // Every accepted message is captured: wait for the worker to catch up, then count.
  const total = accepted + CLIENTS
  let delivered = 0
  for (let i = 0; i < 100; i++) {
    const text = await (await fetch(`${proc.url}/metrics`)).text()
    delivered = Number(
      /^mailfront_mail_total\{plugin="authsmtp",event="delivered"\} (\d+)/m.exec(text)?.[1] ?? 0,
    )
    if (delivered >= total) break
    await sleep(100)
  }
  const perS = Math.round(accepted / elapsed)
  return {
    proc,
    result: {
      clients: CLIENTS,
      message_bytes: Buffer.byteLength(message(tpl, 0).raw),
      seconds: Number(elapsed.toFixed(2)),
      accepted,
      refused,
      messages_per_s: perS,
      server_cpu_ms_per_message:
        cpu0 === null || cpu1 === null ? null : Number(((cpu1 - cpu0) / Math.max(accepted, 1)).toFixed(2)),
      delivered: delivered - CLIENTS,
      http: { idle_p99_ms: idle.p99, loaded_p99_ms: http.p99, loaded_rps: http.rps },
      goal: { messages_per_s: 300 },
      met: perS >= 300 && refused === 0 && delivered >= total,
    },
  }
}
