import { writeFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { networkInterfaces } from 'node:os'
import { join } from 'node:path'
import nodemailer from 'nodemailer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insecureFetch, type ServerProcess, smtpPortOf, startServer } from './server-process.ts'

// The SMTP submission port, end to end: the real `mailfront serve`, nodemailer as the client
// (STARTTLS, AUTH), capture delivery, the captured-mail API, and the plugins' SMTP logins.

// A second AuthSMTP account with small limits, for the quota refusals.
const FIXTURES = {
  authsmtp: {
    accounts: [
      {
        user_id: 'aa55555',
        api_password: 'small-api-password',
        smtp_password: 'small-smtp-password',
        messages_limit: 2,
        data_limit: 3000,
        max_message_size: 2000,
        from_addresses: [],
      },
    ],
  },
}

const external = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address

let srv: (ServerProcess & { dataDir: string }) | undefined
let port = 0
const base = () => srv!.url.replace('0.0.0.0', '127.0.0.1')

function client(user: string, pass: string, opts: Record<string, unknown> = {}) {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    requireTLS: true,
    tls: { rejectUnauthorized: false },
    auth: { user, pass },
    ...opts,
  })
}

const message = (from: string, to: string, extra: Record<string, unknown> = {}) => ({
  envelope: { from, to: [to] },
  from,
  to,
  subject: 'Hello from the e2e test',
  text: 'Hello',
  ...extra,
})

// On 0.0.0.0 the admin API needs its token (the server refuses to start without one).
const ADMIN_TOKEN = 'smtp-e2e-admin-token-0123'

async function getJson(path: string) {
  const res = await insecureFetch(`${base()}${path}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })
  return { status: res.status, body: JSON.parse(res.body.toString()) }
}

async function basicUser(user: string, pass: string): Promise<Record<string, string>> {
  const res = await insecureFetch(`${base()}/restful/basic_user/${user}`, {
    headers: { Authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` },
  })
  const xml = res.body.toString()
  return Object.fromEntries([...xml.matchAll(/<(\w+)>([^<]*)<\/\1>/g)].map((m) => [m[1], m[2]]))
}

/** A raw SMTP conversation: read replies, send lines. */
function rawSmtp(host: string) {
  const sock: Socket = connect(port, host)
  let buf = ''
  const waiters: (() => void)[] = []
  sock.setEncoding('utf8')
  sock.on('data', (d: string) => {
    buf += d
    for (const w of waiters.splice(0)) w()
  })
  const reply = async (): Promise<string> => {
    for (;;) {
      const m = /^(?:\d{3}-.*\r\n)*\d{3} .*\r\n/.exec(buf)
      if (m) {
        buf = buf.slice(m[0].length)
        return m[0]
      }
      await new Promise<void>((r) => waiters.push(r))
    }
  }
  return {
    sock,
    reply,
    async send(line: string) {
      sock.write(`${line}\r\n`)
      return reply()
    },
  }
}

/** Wait for a condition, polling (the worker delivers in the background). */
async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await f()
    if (ok(v) || Date.now() > end) return v
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('SMTP submission port end to end (capture)', () => {
  beforeAll(async () => {
    const dir = (await import('node:fs')).mkdtempSync(join((await import('node:os')).tmpdir(), 'mf-smtp-'))
    const fixtures = join(dir, 'fixtures.json')
    writeFileSync(fixtures, JSON.stringify(FIXTURES))
    srv = await startServer(
      {
        MAILFRONT_HOST: '0.0.0.0',
        MAILFRONT_ADMIN_TOKEN: ADMIN_TOKEN,
        MAILFRONT_DEMO: 'on',
        MAILFRONT_FIXTURES: fixtures,
        MAILFRONT_AUTHSMTP_RATE_WINDOW_S: '0',
        MAILFRONT_SMTP_MAX_CLIENTS: '3',
        MAILFRONT_SMTP_LOGIN_FAILURES: '3',
      },
      dir,
    )
    port = await smtpPortOf(srv)
  }, 60_000)
  afterAll(() => {
    srv?.child.kill('SIGKILL')
  })

  it('prints the SMTP port and how to send at start', async () => {
    expect(srv!.output()).toMatch(
      /SMTP submission on 0\.0\.0\.0:\d+ \(STARTTLS, AUTH required\); delivery: capture/,
    )
    // The demo lines end the banner; a pipe may deliver its tail a moment later.
    const swaks = `swaks --server 127.0.0.1:${port} --tls`
    const out = await until(
      async () => srv!.output(),
      (o) => o.includes(swaks),
      5000,
    )
    expect(out).toContain(swaks)
  })

  it('advertises STARTTLS, AUTH PLAIN LOGIN and SIZE, and refuses mail before AUTH', async () => {
    const s = rawSmtp('127.0.0.1')
    expect(await s.reply()).toMatch(/^220 /)
    const ehlo = await s.send('EHLO e2e.test')
    expect(ehlo).toContain('250-STARTTLS')
    expect(ehlo).toMatch(/250[- ]AUTH PLAIN LOGIN/)
    expect(ehlo).toContain('SIZE 26214400')
    expect(await s.send('MAIL FROM:<sales@example.com>')).toMatch(/^530 /)
    s.sock.destroy()
  })

  it('AuthSMTP: sends with the SMTP password over STARTTLS, counts it at once, captures it', async () => {
    const before = await basicUser('aa12345', 'demo-api-password')
    const info = await client('aa12345', 'demo-smtp-password').sendMail(
      message('sales@example.com', 'customer@example.org', { messageId: '<e2e-1@example.com>' }),
    )
    expect(info.response).toMatch(/^250 2\.0\.0 Ok: queued as [0-9a-f]{40}$/)
    const id = /queued as (\w+)/.exec(info.response)![1]!
    const after = await basicUser('aa12345', 'demo-api-password')
    expect(Number(after.messages_sent)).toBe(Number(before.messages_sent) + 1)
    const stored = await getJson(`/_mailfront/messages/${id}`)
    expect(Number(after.data_sent) - Number(before.data_sent)).toBe(stored.body.size)
    expect(stored.body).toMatchObject({
      messageId: 'e2e-1@example.com',
      envelope: { from: 'sales@example.com', to: ['customer@example.org'] },
      plugin: 'authsmtp',
      principal: 'aa12345',
      via: 'smtp',
      subject: 'Hello from the e2e test',
      text: 'Hello\n',
    })
    const delivered = await until(
      () => getJson(`/_mailfront/messages/${id}`),
      (r) => r.body.recipients[0].state === 'delivered',
    )
    expect(delivered.body.recipients[0]).toMatchObject({ state: 'delivered', lastResponse: 'captured' })
    const list = await getJson('/_mailfront/messages?to=customer@example.org')
    expect(list.body.messages[0].id).toBe(id)
    const raw = await insecureFetch(`${base()}/_mailfront/messages/${id}/raw`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    expect(raw.headers['content-type']).toBe('message/rfc822')
    expect(raw.body.toString()).toContain('Message-ID: <e2e-1@example.com>')
  })

  it('AuthSMTP: refuses the API password, a wrong one, and says which quota or rule refused', async () => {
    await expect(client('aa12345', 'demo-api-password').verify()).rejects.toMatchObject({
      responseCode: 535,
    })
    await expect(client('nobody', 'x').verify()).rejects.toMatchObject({ responseCode: 535 })
    const c = client('aa12345', 'demo-smtp-password')
    await expect(c.sendMail(message('intruder@example.com', 'x@example.org'))).rejects.toMatchObject({
      responseCode: 553,
      response: expect.stringContaining("<intruder@example.com> is not one of the account's authorised From"),
    })
    const small = client('aa55555', 'small-smtp-password')
    await expect(
      small.sendMail(message('a@example.com', 'x@example.org', { text: 'x'.repeat(2500) })),
    ).rejects.toMatchObject({
      responseCode: 552,
      response: expect.stringContaining("the account's max_message_size is 2000"),
    })
    await small.sendMail(message('a@example.com', 'x@example.org', { text: 'x'.repeat(1000) }))
    await expect(
      small.sendMail(message('a@example.com', 'x@example.org', { text: 'x'.repeat(1500) })),
    ).rejects.toMatchObject({
      responseCode: 552,
      response: expect.stringContaining('Data quota exceeded'),
    })
    await small.sendMail(message('a@example.com', 'x@example.org'))
    await expect(small.sendMail(message('a@example.com', 'x@example.org'))).rejects.toMatchObject({
      responseCode: 550,
      response: expect.stringContaining('Message quota exceeded: 2 of 2 messages sent this period'),
    })
  })

  it('mailbox.org: an app password made through the API logs in', async () => {
    const rpc = async (method: string, params: object, session?: string) =>
      JSON.parse(
        (
          await insecureFetch(`${base()}/v1/`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', ...(session ? { 'HPLS-AUTH': session } : {}) },
            body: JSON.stringify({ jsonrpc: '2.0', id: '1', method, params }),
          })
        ).body.toString(),
      )
    const auth = await rpc('auth', { user: 'test_account', pass: '123456' })
    const app = await rpc(
      'mail.apppassword.add',
      { mail: 'user1@domain1.test', memo: 'e2e smtp' },
      auth.result.session,
    )
    expect(app.result.password).toEqual(expect.any(String))
    const info = await client('user1@domain1.test', app.result.password).sendMail(
      message('user1@domain1.test', 'friend@example.org'),
    )
    const id = /queued as (\w+)/.exec(info.response)![1]!
    expect((await getJson(`/_mailfront/messages/${id}`)).body).toMatchObject({
      plugin: 'mailboxorg',
      principal: 'user1@domain1.test',
    })
    await expect(client('user1@domain1.test', 'not-the-app-password').verify()).rejects.toMatchObject({
      responseCode: 535,
    })
  })

  it("throttles a login's failures with the core's login throttle (454, then not even checked)", async () => {
    for (let i = 0; i < 3; i++)
      await expect(client('aa55555', `wrong-${i}`).verify()).rejects.toMatchObject({ responseCode: 535 })
    await expect(client('aa55555', 'small-smtp-password').verify()).rejects.toMatchObject({
      responseCode: 454,
      response: expect.stringMatching(/^454 4\.7\.0 Too many failed logins, try again in \d+ seconds$/),
    })
    // Another login from the same address is not affected.
    expect(await client('aa12345', 'demo-smtp-password').verify()).toBe(true)
    const metrics = (await insecureFetch(`${base()}/metrics`)).body.toString()
    expect(metrics).toMatch(/^mailfront_rate_limited_total\{plugin="smtp"\} [1-9]/m)
  })

  it.skipIf(!external)('refuses plain-text AUTH before STARTTLS from a non-loopback address', async () => {
    const s = rawSmtp(external!)
    await s.reply()
    await s.send('EHLO e2e.test')
    const r = await s.send(`AUTH PLAIN ${Buffer.from('\0aa12345\0demo-smtp-password').toString('base64')}`)
    expect(r).toMatch(/^538 5\.7\.11 Encryption required/)
    s.sock.destroy()
    // The same login after STARTTLS works from there.
    const ok = nodemailer.createTransport({
      host: external,
      port,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: 'aa12345', pass: 'demo-smtp-password' },
    })
    expect(await ok.verify()).toBe(true)
  })

  it('allows plain-text AUTH without TLS from loopback', async () => {
    const c = client('aa12345', 'demo-smtp-password', { requireTLS: false, ignoreTLS: true })
    expect(await c.verify()).toBe(true)
  })

  it('limits connections per client address with a 421', async () => {
    const open = [rawSmtp('127.0.0.1'), rawSmtp('127.0.0.1'), rawSmtp('127.0.0.1')]
    for (const s of open) expect(await s.reply()).toMatch(/^220 /)
    const extra = rawSmtp('127.0.0.1')
    expect(await extra.reply()).toMatch(/^421 4\.7\.0 Too many connections from your address \(at most 3\)/)
    for (const s of [...open, extra]) s.sock.destroy()
  })

  it('counts mail by plugin in /metrics and logs each message and attempt, never a password', async () => {
    const metrics = (await insecureFetch(`${base()}/metrics`)).body.toString()
    expect(metrics).toMatch(/^mailfront_mail_total\{plugin="authsmtp",event="submitted"\} [1-9]/m)
    expect(metrics).toMatch(/^mailfront_mail_total\{plugin="authsmtp",event="delivered"\} [1-9]/m)
    expect(metrics).toMatch(/^mailfront_auth_failures_total\{plugin="smtp"\} [1-9]/m)
    const logs = srv!
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
    expect(logs.some((l) => l.includes('"msg":"mail accepted"'))).toBe(true)
    expect(logs.some((l) => l.includes('"msg":"mail delivery"') && l.includes('"result":"captured"'))).toBe(
      true,
    )
    for (const secret of ['demo-smtp-password', 'small-smtp-password', 'Hello from the e2e test'])
      expect(logs.filter((l) => l.includes(secret))).toEqual([])
  })

  it('loses nothing when killed -9 right after the 250', async () => {
    const info = await client('aa12345', 'demo-smtp-password').sendMail(
      message('sales@example.com', 'durable@example.org', { messageId: '<durable@example.com>' }),
    )
    srv!.child.kill('SIGKILL')
    await srv!.exited
    const id = /queued as (\w+)/.exec(info.response)![1]!
    srv = await startServer(
      { MAILFRONT_HOST: '0.0.0.0', MAILFRONT_ADMIN_TOKEN: ADMIN_TOKEN, MAILFRONT_DEMO: 'off' },
      srv!.dataDir,
    )
    port = await smtpPortOf(srv)
    const got = await until(
      () => getJson(`/_mailfront/messages/${id}`),
      (r) => r.body.recipients?.[0]?.state === 'delivered',
    )
    expect(got.body).toMatchObject({
      messageId: 'durable@example.com',
      envelope: { to: ['durable@example.org'] },
      recipients: [{ state: 'delivered' }],
    })
  }, 60_000)

  it('closes the SMTP port on SIGTERM and exits 0', async () => {
    srv!.child.kill('SIGTERM')
    expect(await srv!.exited).toBe(0)
    const refused = await new Promise<string>((resolve) => {
      const s = connect(port, '127.0.0.1')
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'))
      s.on('connect', () => {
        s.destroy()
        resolve('connected')
      })
    })
    expect(refused).toBe('ECONNREFUSED')
  })
})
