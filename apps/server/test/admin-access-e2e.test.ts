// Issue 24, item 1: the admin API's access rule against the real server. The attacks are the issue's
// own curl lines (fetch when curl is absent): X-Forwarded-For claiming loopback, with the client
// address taken from a trusted proxy and without one.
import { execFileSync, spawn } from 'node:child_process'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { hostname } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, hasCurl, type ServerProcess, startServer } from './server-process.ts'
import { until } from './until.ts'

const TOKEN = '0123456789abcdef0123'
const SPOOFS = ['127.0.0.1', '::1', 'localhost', '127.1']

/**
 * `curl -k -H … [-X POST] url`: the status code and the body. Without curl, node's own client (fetch
 * can neither skip the certificate check nor set Host).
 */
async function attack(
  url: string,
  headers: Record<string, string>,
  method = 'GET',
): Promise<{ status: number; body: string }> {
  if (hasCurl) {
    const args = ['-s', '-k', '-X', method, '-w', '\n%{http_code}']
    for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`)
    const out = execFileSync('curl', [...args, url], { encoding: 'utf8' })
    const i = out.lastIndexOf('\n')
    return { status: Number(out.slice(i + 1)), body: out.slice(0, i) }
  }
  const send = url.startsWith('https:') ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = send(url, { method, headers, rejectUnauthorized: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (s: string) => {
        body += s
      })
      res.on('end', () => resolve({ status: res.statusCode!, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

const local = (srv: ServerProcess) => srv.url.replace('0.0.0.0', '127.0.0.1')

describe.each(['true', 'false'])('MAILFRONT_HOST=0.0.0.0, a token, MAILFRONT_TRUST_PROXY=%s', (trust) => {
  let srv: ServerProcess | undefined
  beforeAll(async () => {
    srv = await startServer({
      MAILFRONT_HOST: '0.0.0.0',
      MAILFRONT_TRUST_PROXY: trust,
      MAILFRONT_ADMIN_TOKEN: TOKEN,
      MAILFRONT_TLS: 'off',
      MAILFRONT_REQUIRE_HTTPS: 'false',
      MAILFRONT_DEMO: 'on',
    })
  }, 60_000)
  afterAll(() => {
    srv?.child.kill('SIGKILL')
  })

  it('X-Forwarded-For: <loopback> gets neither the hashes nor a reset; the token does', async () => {
    for (const ip of SPOOFS) {
      const get = await attack(`${local(srv!)}/_mailfront/fixtures`, { 'X-Forwarded-For': ip })
      expect([get.status, get.body], ip).toEqual([401, '{"error":"admin token required"}'])
      const reset = await attack(`${local(srv!)}/_mailfront/reset`, { 'X-Forwarded-For': ip }, 'POST')
      expect(reset.status, ip).toBe(401)
    }
    // Loopback itself, with no header at all, needs the token too once one is set.
    expect((await attack(`${local(srv!)}/_mailfront/fixtures`, {})).status).toBe(401)
    const ok = await attack(`${local(srv!)}/_mailfront/fixtures`, { Authorization: `Bearer ${TOKEN}` })
    expect(ok.status).toBe(200)
    // With a token the Host is not checked: a compose service reaching http://mailfront:8080.
    const named = await attack(`${local(srv!)}/_mailfront/fixtures`, {
      Authorization: `Bearer ${TOKEN}`,
      Host: 'mailfront:8080',
    })
    expect(named.status).toBe(200)
    expect(ok.body).toContain('toorop@tmail.io') // nothing was wiped
  })
})

describe('MAILFRONT_HOST=127.0.0.1, no token', () => {
  let srv: ServerProcess | undefined
  beforeAll(async () => {
    // No proxy declared (with one and no token the server refuses to start: see below).
    srv = await startServer({ MAILFRONT_TLS: 'off', MAILFRONT_DEMO: 'off' })
  }, 60_000)
  afterAll(() => {
    srv?.child.kill('SIGKILL')
  })

  it('a loopback client gets in; the same client through a proxy (any forwarding header) does not', async () => {
    expect((await attack(`${srv!.url}/_mailfront/messages`, {})).status).toBe(200)
    for (const ip of SPOOFS)
      expect((await attack(`${srv!.url}/_mailfront/fixtures`, { 'X-Forwarded-For': ip })).status).toBe(404)
    for (const h of ['X-Real-IP', 'Forwarded', 'X-Forwarded-Host', 'X-Forwarded-Proto'])
      expect((await attack(`${srv!.url}/_mailfront/fixtures`, { [h]: 'x' })).status, h).toBe(404)
  })

  const faults = async () =>
    ((await (await fetch(`${srv!.url}/_mailfront/faults`)).json()) as { faults: unknown[] }).faults

  it("the review's probe (a text/plain POST from evil.example) is 403 and adds no fault; without the browser's headers it is 415", async () => {
    const body = '{"plugin":"smtp","stage":"connect","reply":"421 4.3.2 down"}'
    const probe = await fetch(`${srv!.url}/_mailfront/faults`, {
      method: 'POST',
      headers: {
        'Content-Type': 'text/plain',
        Origin: 'https://evil.example',
        'Sec-Fetch-Site': 'cross-site',
      },
      body,
    })
    expect(probe.status).toBe(403)
    const plain = await fetch(`${srv!.url}/_mailfront/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body,
    })
    expect(plain.status).toBe(415)
    const form = await fetch(`${srv!.url}/_mailfront/webhook`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'url=http%3A%2F%2F127.0.0.1%3A9%2F&secret=a-webhook-secret-0123456789',
    })
    expect(form.status).toBe(415)
    expect(await faults()).toEqual([])
    // The same fault as JSON from a client that is no browser (curl, an SDK): 201.
    const ok = await fetch(`${srv!.url}/_mailfront/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    })
    expect(ok.status).toBe(201)
    expect(await faults()).toHaveLength(1)
    expect((await fetch(`${srv!.url}/_mailfront/faults`, { method: 'DELETE' })).status).toBe(204)
  })
})

// DNS rebinding: a page of evil.example whose name now points at 127.0.0.1 makes the developer's browser
// send same-origin requests to the token-less admin API with `Host: evil.example`. The real server, with
// its default TLS (the issue's curl lines), answers only loopback names and the operator's own.
describe('MAILFRONT_HOST=127.0.0.1, no token, TLS: the DNS-rebinding guard', () => {
  let srv: ServerProcess | undefined
  let port = ''
  beforeAll(async () => {
    srv = await startServer({
      MAILFRONT_DEMO: 'on',
      MAILFRONT_HOSTNAME: 'mailfront',
      MAILFRONT_ADMIN_HOSTS: 'devbox.lan',
    })
    port = new URL(srv.url).port
  }, 60_000)
  afterAll(() => {
    srv?.child.kill('SIGKILL')
  })

  it('Host: evil.example is 403 with what to do, and no hash leaves; Host: localhost:<port> is 200', async () => {
    expect(srv!.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const fixtures = `${srv!.url}/_mailfront/fixtures`
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1.evil.example:${port}`]) {
      const res = await attack(fixtures, { Host: host })
      expect(res, host).toEqual({
        status: 403,
        body: JSON.stringify({
          error: `admin API without a token answers only to a loopback host name (Host: ${host} refused, DNS rebinding guard): open it as https://127.0.0.1${host.endsWith(port) ? `:${port}` : ''}/ or localhost, add the name to MAILFRONT_ADMIN_HOSTS, or set MAILFRONT_ADMIN_TOKEN`,
        }),
      })
    }
    // The rebinding page's own writes (same origin, as its browser sees it) are refused too.
    const reset = await attack(
      `${srv!.url}/_mailfront/reset`,
      {
        Host: `evil.example:${port}`,
        Origin: `https://evil.example:${port}`,
        'Sec-Fetch-Site': 'same-origin',
      },
      'POST',
    )
    expect(reset.status).toBe(403)
    for (const host of [
      `localhost:${port}`,
      `127.0.0.1:${port}`,
      `[::1]:${port}`,
      'mailfront', // MAILFRONT_HOSTNAME: a certificate name
      'devbox.lan', // MAILFRONT_ADMIN_HOSTS
      'api.smtpd.dev', // a plugin's client hostname (the HTTPS proxy and DNS responder serve it)
    ]) {
      const res = await attack(fixtures, { Host: host })
      expect(res.status, host).toBe(200)
      expect(res.body, host).toContain('toorop@tmail.io') // nothing was wiped
    }
    // The stream of changes and the index are behind the same rule.
    expect((await attack(`${srv!.url}/_mailfront/`, { Host: 'evil.example' })).status).toBe(403)
    expect((await attack(`${srv!.url}/_mailfront/events`, { Host: 'evil.example' })).status).toBe(403)
    // One warning per refused name, naming it without its port. Log lines are written in batches:
    // once the last request's own line is out, every warning before it is too.
    const lines = await until(
      'the log',
      async () => srv!.output().split('\n'),
      (ls) => ls.some((l) => l.includes('"path":"/_mailfront/events","status":403')),
    )
    const warnings = lines
      .filter((l) => l.includes('DNS rebinding guard'))
      .map((l) => JSON.parse(l) as { level: number; host: string })
      .map((l) => [l.level, l.host])
    expect(warnings).toEqual([
      [40, 'evil.example'],
      [40, '127.0.0.1.evil.example'],
    ])
  })
})

/** `mailfront serve` with these settings, run until it exits: its exit code and its stderr. */
async function serveExit(env: Record<string, string>): Promise<{ code: number | null; err: string }> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...process.env, MAILFRONT_PORT: '0', MAILFRONT_SMTP_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let err = ''
  child.stderr.on('data', (b: Buffer) => {
    err += b.toString()
  })
  const code = await new Promise<number | null>((r) => child.once('exit', r))
  return { code, err }
}

describe('MAILFRONT_HOST off loopback without a token', () => {
  it('refuses to start: one line, exit code 2', async () => {
    const { code, err } = await serveExit({ MAILFRONT_HOST: '0.0.0.0' })
    expect(code).toBe(2)
    expect(err).toBe(
      'mailfront: MAILFRONT_HOST=0.0.0.0 is not loopback and MAILFRONT_ADMIN_TOKEN is unset: set a token, or MAILFRONT_ADMIN=off (no admin API) or MAILFRONT_ADMIN=open (anyone who reaches the port is admin)\n',
    )
  }, 30_000)

  it('behind a declared proxy on loopback, refuses to start the same way', async () => {
    const { code, err } = await serveExit({ MAILFRONT_HOST: '127.0.0.1', MAILFRONT_TRUST_PROXY: 'true' })
    expect(code).toBe(2)
    expect(err).toMatch(
      /^mailfront: MAILFRONT_TRUST_PROXY declares a proxy .* MAILFRONT_ADMIN=off .* MAILFRONT_ADMIN=open .*\n$/,
    )
  }, 30_000)

  it('MAILFRONT_ADMIN=open: starts with a warning before the banner, and anyone is admin', async () => {
    const srv = await startServer({
      MAILFRONT_HOST: '0.0.0.0',
      MAILFRONT_ADMIN: 'open',
      MAILFRONT_ADMIN_HOSTS: 'mailfront',
      MAILFRONT_TLS: 'off',
      MAILFRONT_REQUIRE_HTTPS: 'false',
      MAILFRONT_DEMO: 'off',
    })
    try {
      const out = srv.output()
      const warning = out.indexOf('warning: MAILFRONT_ADMIN=open: anyone who reaches this port is admin')
      expect(warning).toBeGreaterThanOrEqual(0)
      expect(warning).toBeLessThan(out.indexOf('mailfront http://'))
      expect(
        (await attack(`${local(srv)}/_mailfront/messages`, { 'X-Forwarded-For': '203.0.113.9' })).status,
      ).toBe(200)
      // Anyone, by an IP address or this machine's name (another container's way in); a DNS name
      // only when configured: a rebinding page (evil.example re-pointed at 127.0.0.1) gets 403.
      for (const host of ['127.0.0.1:8080', '172.17.0.2:8080', `${hostname()}:8080`, 'mailfront:8080'])
        expect((await attack(`${local(srv)}/_mailfront/messages`, { Host: host })).status, host).toBe(200)
      for (const host of ['evil.example:8080', 'other-service:8080'])
        expect((await attack(`${local(srv)}/_mailfront/fixtures`, { Host: host })).status, host).toBe(403)
    } finally {
      srv.child.kill('SIGKILL')
    }
  }, 60_000)

  it("the image's MAILFRONT_ADMIN_DEFAULT=open: the warning says the mode is a default", async () => {
    const srv = await startServer({
      MAILFRONT_HOST: '0.0.0.0',
      MAILFRONT_ADMIN_DEFAULT: 'open',
      MAILFRONT_TLS: 'off',
      MAILFRONT_REQUIRE_HTTPS: 'false',
      MAILFRONT_DEMO: 'off',
    })
    try {
      expect(srv.output()).toContain(
        'warning: MAILFRONT_ADMIN=open by default (MAILFRONT_ADMIN_DEFAULT=open, as the container image sets; set MAILFRONT_ADMIN_TOKEN to require a token): anyone who reaches this port is admin',
      )
      expect((await attack(`${local(srv)}/_mailfront/messages`, {})).status).toBe(200)
      expect((await attack(`${local(srv)}/_mailfront/fixtures`, { Host: 'evil.example' })).status).toBe(403)
    } finally {
      srv.child.kill('SIGKILL')
    }
  }, 60_000)

  it('MAILFRONT_ADMIN=off: starts, and /_mailfront/* does not exist for anyone', async () => {
    const srv = await startServer({
      MAILFRONT_HOST: '0.0.0.0',
      MAILFRONT_ADMIN: 'off',
      MAILFRONT_TLS: 'off',
      MAILFRONT_REQUIRE_HTTPS: 'false',
      MAILFRONT_DEMO: 'off',
    })
    try {
      for (const path of ['/_mailfront/messages', '/_mailfront/fixtures'])
        expect(await attack(`${local(srv)}${path}`, {})).toEqual({ status: 404, body: 'Not Found' })
      expect((await attack(`${local(srv)}/healthz`, {})).status).toBe(200)
    } finally {
      srv.child.kill('SIGKILL')
    }
  }, 60_000)
})
