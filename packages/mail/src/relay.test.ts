import type { AddressInfo } from 'node:net'
import { generate } from 'selfsigned'
import { SMTPServer, type SMTPServerOptions } from 'smtp-server'
import { afterEach, describe, expect, it } from 'vitest'
import { createRelay, parseRelayUrl, redactUrl } from './relay.ts'

const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s()
})

async function sink(opts: Partial<SMTPServerOptions>) {
  const seen: { secure: boolean; user?: string; from: string; to: string[]; raw: string }[] = []
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    onAuth(auth, _s, cb) {
      cb(null, auth.password === 'relay-pass' ? { user: auth.username } : undefined)
    },
    onRcptTo(a, _s, cb) {
      if (a.address.startsWith('busy@'))
        return cb(Object.assign(new Error('4.2.1 mailbox busy'), { responseCode: 450 }))
      if (a.address.startsWith('gone@'))
        return cb(Object.assign(new Error('5.1.1 no such user'), { responseCode: 550 }))
      cb()
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        seen.push({
          secure: session.secure,
          ...(session.user ? { user: String(session.user) } : {}),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString(),
        })
        cb()
      })
    },
    ...opts,
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  stops.push(() => new Promise((r) => server.close(() => r())))
  return { port: (server.server.address() as AddressInfo).port, seen }
}

let pems: { private: string; cert: string } | undefined
async function cert() {
  pems ??= await generate([{ name: 'commonName', value: 'relay.test' }], { keySize: 2048 } as never)
  return { key: pems!.private, cert: pems!.cert }
}

const RAW = Buffer.from('From: a@example.com\r\nTo: b@example.org\r\nSubject: t\r\n\r\nbody\r\n')

describe('relay', () => {
  it('upgrades with STARTTLS when the relay offers it, and authenticates', async () => {
    const s = await sink({ ...(await cert()) })
    const relay = createRelay(`smtp://user:relay-pass@127.0.0.1:${s.port}?tls.rejectUnauthorized=false`)
    stops.push(() => relay.close())
    expect(await relay.send({ from: 'a@example.com', to: 'b@example.org' }, RAW)).toMatchObject({
      kind: 'delivered',
      response: expect.stringMatching(/^250 /),
    })
    expect(s.seen[0]).toMatchObject({
      secure: true,
      user: 'user',
      from: 'a@example.com',
      to: ['b@example.org'],
    })
    expect(s.seen[0]!.raw).toContain('Subject: t')
  })

  it('speaks TLS from the start with smtps://', async () => {
    const s = await sink({ secure: true, ...(await cert()) })
    const relay = createRelay(`smtps://127.0.0.1:${s.port}?tls.rejectUnauthorized=false`)
    stops.push(() => relay.close())
    expect((await relay.send({ from: '', to: 'b@example.org' }, RAW)).kind).toBe('delivered')
    expect(s.seen[0]).toMatchObject({ secure: true, from: '' })
  })

  it('sends in clear when the relay offers no STARTTLS', async () => {
    const s = await sink({ disabledCommands: ['STARTTLS'] })
    const relay = createRelay(`smtp://127.0.0.1:${s.port}`)
    stops.push(() => relay.close())
    expect((await relay.send({ from: 'a@example.com', to: 'b@example.org' }, RAW)).kind).toBe('delivered')
    expect(s.seen[0]!.secure).toBe(false)
  })

  it('classifies 4xx and connection errors as temporary, 5xx as permanent', async () => {
    const s = await sink({ disabledCommands: ['STARTTLS'] })
    const relay = createRelay(`smtp://127.0.0.1:${s.port}`)
    stops.push(() => relay.close())
    expect(await relay.send({ from: 'a@example.com', to: 'busy@example.org' }, RAW)).toMatchObject({
      kind: 'temporary',
      code: 450,
      response: expect.stringContaining('450 4.2.1 mailbox busy'),
    })
    expect(await relay.send({ from: 'a@example.com', to: 'gone@example.org' }, RAW)).toMatchObject({
      kind: 'permanent',
      code: 550,
      response: expect.stringContaining('550 5.1.1 no such user'),
    })
    const down = createRelay('smtp://127.0.0.1:1')
    stops.push(() => down.close())
    expect(await down.send({ from: 'a@example.com', to: 'b@example.org' }, RAW)).toMatchObject({
      kind: 'temporary',
      response: expect.stringContaining('ECONNREFUSED'),
    })
  })

  it('checks the URL and never shows its password', () => {
    expect(() => parseRelayUrl('http://x')).toThrow('MAILFRONT_MAIL_RELAY_URL must be')
    expect(() => parseRelayUrl('nonsense')).toThrow('MAILFRONT_MAIL_RELAY_URL must be')
    expect(redactUrl('smtp://u:secret@relay.example:587')).toBe('smtp://u:***@relay.example:587')
  })
})
