import { spawn } from 'node:child_process'
import { Agent, request } from 'node:https'
import { type Socket, connect as tcpConnect } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_SECRETS, logLines, type ServerProcess, startServer } from './server-process.ts'

// Abuse against the real server process (TLS, SQLite): silent, slow and many connections, and big
// bodies. Timeouts are shortened by configuration (1 s headers, 2 s request) so the file runs in
// seconds; the mechanisms are the ones the defaults (10 s, 30 s) use.

const HEADERS_S = 1
const REQUEST_S = 2
const PER_ADDRESS = 40
const insecure = { rejectUnauthorized: false }

/** The hostile side, run as its own process: silent and slowloris connections, kept open. */
const FLOOD = `
const net = require('node:net'), tls = require('node:tls')
const { HOST: host, PORT, PER_ADDRESS } = process.env
const port = Number(PORT)
let open = 0
const hold = (addr, kind, loris) => {
  const s = kind === 'tls' ? tls.connect({ host, port, localAddress: addr, rejectUnauthorized: false }) : net.connect({ host, port, localAddress: addr })
  s.on('error', () => {})
  s.once(kind === 'tls' ? 'secureConnect' : 'connect', () => {
    open++
    if (loris) { const t = setInterval(() => s.destroyed ? clearInterval(t) : s.write('x'), 200); s.write('GET / HTTP/1.1\\r\\nX-A: ') }
  })
  s.once('close', () => { open--; setTimeout(() => hold(addr, kind, loris), 50) })
}
for (let a = 1; a <= 8; a++) for (let i = 0; i < Number(PER_ADDRESS); i++) hold('127.0.1.' + a, i % 8 === 0 ? 'tls' : 'tcp', false)
for (let i = 0; i < 20; i++) hold('127.0.2.1', 'tls', true)
let max = 0
const wait = setInterval(() => { max = Math.max(max, open); if (open >= 8 * Number(PER_ADDRESS)) { clearInterval(wait); process.stdout.write('ready ') } }, 50)
process.on('SIGTERM', () => { process.stdout.write('held ' + Math.max(max, open) + '\\n'); process.exit(0) })
setInterval(() => { max = Math.max(max, open) }, 100)
`

let srv: ServerProcess & { dataDir: string }
let host: string
let port: number

beforeAll(async () => {
  srv = await startServer({
    MAILFRONT_HEADERS_TIMEOUT_S: String(HEADERS_S),
    MAILFRONT_REQUEST_TIMEOUT_S: String(REQUEST_S),
    MAILFRONT_MAX_CONNECTIONS_PER_ADDRESS: String(PER_ADDRESS),
    MAILFRONT_AUTHSMTP_RATE_WINDOW_S: '0',
  })
  const u = new URL(srv.url)
  host = u.hostname
  port = Number(u.port)
}, 30_000)
afterAll(() => {
  srv?.child.kill('SIGKILL')
})

/** Open a connection and resolve, once closed by the server, with how long it stayed open. */
function openSilent(kind: 'tcp' | 'tls', localAddress?: string): { closed: Promise<number>; sock: Socket } {
  const t0 = performance.now()
  const sock =
    kind === 'tcp'
      ? tcpConnect({ host, port, localAddress })
      : tlsConnect({ host, port, ...insecure, ...({ localAddress } as object) })
  sock.on('error', () => undefined)
  return { sock, closed: new Promise((r) => sock.once('close', () => r(performance.now() - t0))) }
}

/** Send the request line and then one header byte every `everyMs`, as slowloris does. */
function slowloris(everyMs: number, localAddress?: string) {
  const c = openSilent('tls', localAddress)
  const line = 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: '
  let i = 0
  const timer = setInterval(() => {
    if (c.sock.destroyed) return clearInterval(timer)
    c.sock.write(i < line.length ? line.charAt(i) : 'a')
    i++
  }, everyMs)
  c.closed.then(() => clearInterval(timer))
  return c
}

const agent = new Agent({ keepAlive: true, maxSockets: 1, ...insecure })
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; ms: number }> {
  const t0 = performance.now()
  return new Promise((resolve, reject) => {
    request({ host, port, path, headers, agent }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode!, ms: performance.now() - t0 }))
    })
      .on('error', reject)
      .end()
  })
}
function post(path: string, body: Buffer, chunked: boolean, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      {
        host,
        port,
        path,
        method: 'POST',
        headers: chunked ? headers : { ...headers, 'Content-Length': String(body.length) },
        ...insecure,
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (d) => {
          text += d
        })
        res.on('end', () => resolve({ status: res.statusCode!, body: text }))
      },
    )
    req.on('error', (e) => reject(new Error(`${path} chunked=${chunked}: ${e.message}`)))
    if (chunked) {
      for (let i = 0; i < body.length; i += 65536) req.write(body.subarray(i, i + 65536))
      req.end()
    } else req.end(body)
  })
}

describe('abuse: idle, slow and many connections, big bodies', () => {
  it('closes connections that never send a byte, over TCP and after a TLS handshake', async () => {
    const conns = [
      ...Array.from({ length: 20 }, () => openSilent('tcp')),
      ...Array.from({ length: 10 }, () => openSilent('tls')),
    ]
    const open = await Promise.all(conns.map((c) => c.closed))
    console.log(
      `silent: ${conns.length} connections, closed after ${Math.round(Math.max(...open))} ms at most`,
    )
    // The deadline plus the TLS handshake and a loaded machine's slack; Node alone never closes them.
    for (const ms of open) expect(ms).toBeLessThan(HEADERS_S * 1000 + 2000)
    expect(Math.min(...open)).toBeGreaterThanOrEqual(HEADERS_S * 1000 - 50)
  })

  it('closes slowloris connections (headers never finished) by the header deadline', async () => {
    const conns = Array.from({ length: 20 }, () => slowloris(100))
    const open = await Promise.all(conns.map((c) => c.closed))
    console.log(
      `slowloris: ${conns.length} connections, closed after ${Math.round(Math.max(...open))} ms at most`,
    )
    for (const ms of open) expect(ms).toBeLessThan(HEADERS_S * 1000 + 2000)
  })

  it('closes a request whose body trickles in, by the request deadline', async () => {
    const conns = Array.from({ length: 5 }, () => {
      const c = openSilent('tls')
      c.sock.once('secureConnect', () => {
        c.sock.write(
          'POST /v1/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n',
        )
        const timer = setInterval(() => (c.sock.destroyed ? clearInterval(timer) : c.sock.write(' ')), 100)
        c.closed.then(() => clearInterval(timer))
      })
      return c
    })
    const open = await Promise.all(conns.map((c) => c.closed))
    console.log(
      `slow body: ${conns.length} connections, closed after ${Math.round(Math.max(...open))} ms at most`,
    )
    for (const ms of open) expect(ms).toBeLessThan(REQUEST_S * 1000 + 2500)
  })

  it(`refuses more than ${PER_ADDRESS} open connections from one address, and serves the others`, async () => {
    const flood = Array.from({ length: PER_ADDRESS + 10 }, () => openSilent('tcp', '127.0.0.9'))
    // The extra ten are closed at accept, long before the header deadline.
    const closedEarly = await Promise.all(
      flood.map((c) =>
        Promise.race([c.closed.then(() => true), new Promise((r) => setTimeout(() => r(false), 500))]),
      ),
    )
    const refused = closedEarly.filter(Boolean).length
    console.log(`per address: ${flood.length} opened from one address, ${refused} refused at once`)
    expect(refused).toBe(10)
    expect((await get('/healthz')).status).toBe(200)
    await Promise.all(flood.map((c) => c.closed))
  })

  it('answers a body over the limit with the limit error in each provider’s format, with or without Content-Length', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 'a')
    const json = { 'Content-Type': 'application/json' }
    for (const chunked of [false, true]) {
      const smtpd = await post('/oauth/token?grant_type=password', big, chunked, json)
      expect(smtpd.status).toBe(413)
      expect(JSON.parse(smtpd.body)).toMatchObject({ code: 41301 })
      const tmail = await post('/users/x@y.z', big, chunked, {
        ...json,
        Authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}`,
      })
      expect(tmail.status).toBe(413)
      expect(JSON.parse(tmail.body)).toMatchObject({ msg: expect.any(String) })
      // JSON-RPC answers HTTP 200 for every error (its spec): -32600 with a message.
      const rpc = await post('/v1/', big, chunked, json)
      expect(rpc.status).toBe(200)
      expect(JSON.parse(rpc.body)).toEqual({
        jsonrpc: '2.0',
        error: { code: -32600, message: 'Invalid Request: the body is too large' },
        id: null,
      })
    }
    console.log(
      'body limit: 3 plugins × (Content-Length, chunked) with 2 MiB: all refused in the provider format (413, 413, JSON-RPC -32600)',
    )
  })

  it('keeps a normal client under p99 100 ms while hundreds of connections are held open', async () => {
    // A second server with the default deadlines (10 s headers, 30 s request): the hostile
    // connections stay open for the whole measurement instead of being cut after a second. They come
    // from another process, so the client's own event loop measures the server and nothing else.
    const held = await startServer({
      MAILFRONT_AUTHSMTP_RATE_WINDOW_S: '0',
      MAILFRONT_MAX_CONNECTIONS_PER_ADDRESS: String(PER_ADDRESS),
    })
    const u = new URL(held.url)
    const flood = spawn(process.execPath, ['-e', FLOOD], {
      env: { ...process.env, HOST: u.hostname, PORT: u.port, PER_ADDRESS: String(PER_ADDRESS) },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let floodOut = ''
    flood.stdout!.on('data', (d) => {
      floodOut += d
    })
    try {
      await new Promise<void>((r) => flood.stdout!.once('data', () => r()))
      const client = new Agent({ keepAlive: true, maxSockets: 1, ...insecure })
      const timed = (path: string, headers: Record<string, string> = {}) => {
        const t0 = performance.now()
        return new Promise<{ status: number; ms: number }>((resolve, reject) => {
          request({ host: u.hostname, port: u.port, path, headers, agent: client }, (res) => {
            res.resume()
            res.on('end', () => resolve({ status: res.statusCode!, ms: performance.now() - t0 }))
          })
            .on('error', reject)
            .end()
        })
      }
      const auth = { Authorization: `Basic ${Buffer.from('aa12345:demo-api-password').toString('base64')}` }
      const times: number[] = []
      const t0 = performance.now()
      for (let i = 0; i < 300 || performance.now() - t0 < 3000; i++) {
        const r =
          i % 3 === 0
            ? await timed('/healthz')
            : i % 3 === 1
              ? await timed('/ping')
              : await timed('/restful/basic_user/aa12345', auth)
        expect(r.status).toBe(200)
        times.push(r.ms)
      }
      client.destroy()
      flood.kill('SIGTERM')
      await new Promise((r) => flood.once('exit', r))
      const open = Number(/held (\d+)/.exec(floodOut)?.[1] ?? 0)
      times.sort((a, b) => a - b)
      const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!
      console.log(
        `many connections: ${open} hostile connections held open (8 addresses × ${PER_ADDRESS} silent, 1 in 8 over TLS, + 20 slowloris); normal client ${times.length} requests, p50 ${p(0.5).toFixed(1)} ms, p99 ${p(0.99).toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms`,
      )
      expect(open).toBeGreaterThanOrEqual(8 * PER_ADDRESS)
      expect(p(0.99)).toBeLessThan(100)
    } finally {
      flood.kill('SIGKILL')
      held.child.kill('SIGKILL')
    }
  }, 60_000)

  it('logged no credential over the run', async () => {
    await new Promise((r) => setTimeout(r, 300)) // log lines are written in 200 ms batches
    const log = logLines(srv.output())
    expect(log).toContain('"msg":"request"')
    expect(DEMO_SECRETS.filter((s) => log.includes(s))).toEqual([])
  })
})
