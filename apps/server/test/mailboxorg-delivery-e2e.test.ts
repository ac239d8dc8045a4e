import { join } from 'node:path'
import nodemailer from 'nodemailer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insecureFetch, type ServerProcess, smtpPortOf, startServer } from './server-process.ts'

// mailbox.org sub-resources acting on real mail, end to end: the real `mailfront serve` (TLS,
// SQLite, capture), set up over JSON-RPC, nodemailer submitting on the SMTP port (STARTTLS, AUTH as
// the demo AuthSMTP account), the results read from /_mailfront/messages.

let srv: (ServerProcess & { dataDir: string }) | undefined
let port = 0
let session = ''
const base = () => srv!.url

const transport = () =>
  nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    requireTLS: true,
    tls: { rejectUnauthorized: false },
    auth: { user: 'aa12345', pass: 'demo-smtp-password' },
  })

const message = (to: string[], extra: Record<string, unknown> = {}) => ({
  envelope: { from: 'sales@example.com', to },
  from: 'sales@example.com',
  to,
  subject: 'Order 42',
  text: 'Hello',
  ...extra,
})

async function rpc(method: string, params: object) {
  const res = await insecureFetch(`${base()}/v1/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(session ? { 'HPLS-AUTH': session } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', id: '1', method, params }),
  })
  const body = JSON.parse(res.body.toString())
  expect(body.error).toBeUndefined()
  return body.result
}

async function getJson(path: string) {
  const res = await insecureFetch(`${base()}${path}`)
  expect(res.status).toBe(200)
  return JSON.parse(res.body.toString())
}

/** Poll until the condition holds (the worker delivers in the background). */
async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await f()
    if (ok(v) || Date.now() > end) return v
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('mailbox.org blacklist, vacation and forwards on the SMTP port (e2e)', () => {
  beforeAll(async () => {
    const dir = (await import('node:fs')).mkdtempSync(
      join((await import('node:os')).tmpdir(), 'mf-mboxdeliv-'),
    )
    srv = await startServer({ MAILFRONT_DEMO: 'on' }, dir)
    port = await smtpPortOf(srv)
    session = (await rpc('auth', { user: 'test_account', pass: '123456' })).session
    await rpc('mail.blacklist.add', { mail: 'user1@domain1.test', add_address: 'sales@example.com' })
    const today = new Date().toISOString().slice(0, 10)
    await rpc('mail.vacation.set', {
      mail: 'user2@domain1.test',
      subject: 'On holiday',
      body: 'Back in two weeks.',
      start_date: today,
      end_date: '2099-12-31',
    })
    await rpc('mail.set', { mail: 'user2@domain1.test', forwards: ['fwd@example.net'] })
  }, 60_000)
  afterAll(() => {
    srv?.child.kill('SIGKILL')
  })

  it('the blacklist refuses the listed sender at RCPT TO with 550 5.7.1; other recipients get it', async () => {
    await expect(transport().sendMail(message(['user1@domain1.test']))).rejects.toMatchObject({
      responseCode: 550,
      response: '550 5.7.1 <user1@domain1.test>: sender blocked by recipient',
    })
    const info = await transport().sendMail(message(['user1@domain1.test', 'customer@example.org']))
    expect(info.rejected).toEqual(['user1@domain1.test'])
    expect(info.accepted).toEqual(['customer@example.org'])
    const id = /queued as (\w+)/.exec(info.response)![1]!
    const m = await getJson(`/_mailfront/messages/${id}`)
    expect(m.envelope.to).toEqual(['customer@example.org'])
    expect((await getJson('/_mailfront/messages?to=user1@domain1.test')).total).toBe(0)
  })

  it('the vacation notice answers once per sender; forwards deliver a copy of every message', async () => {
    const t = transport()
    const first = await t.sendMail(message(['user2@domain1.test'], { messageId: '<order-42@example.com>' }))
    const firstId = /queued as (\w+)/.exec(first.response)![1]!
    const notices = await until(
      () => getJson('/_mailfront/messages?to=sales@example.com&plugin=mailboxorg'),
      (r) => r.total >= 1,
    )
    expect(notices.total).toBe(1)
    const notice = await getJson(`/_mailfront/messages/${notices.messages[0].id}`)
    expect(notice).toMatchObject({
      envelope: { from: '', to: ['sales@example.com'] },
      from: 'user2@domain1.test',
      subject: 'On holiday',
      text: 'Back in two weeks.\n',
      via: 'local',
      principal: 'user2@domain1.test',
    })
    const headers = Object.fromEntries(notice.headers)
    expect(headers['auto-submitted']).toBe('auto-replied')
    expect(headers['in-reply-to']).toBe('<order-42@example.com>')

    const copies = () => getJson('/_mailfront/messages?to=fwd@example.net')
    const one = await until(copies, (r) => r.total >= 1)
    expect(one.messages[0]).toMatchObject({
      envelope: { from: 'user2@domain1.test', to: ['fwd@example.net'] },
      messageId: 'order-42@example.com',
      subject: 'Order 42',
      via: 'local',
    })
    const original = (await insecureFetch(`${base()}/_mailfront/messages/${firstId}/raw`)).body.toString()
    const copy = (
      await insecureFetch(`${base()}/_mailfront/messages/${one.messages[0].id}/raw`)
    ).body.toString()
    expect(copy).toBe(`Delivered-To: user2@domain1.test\r\n${original}`)
    const delivered = await until(
      () => getJson(`/_mailfront/messages/${firstId}`),
      (r) => r.recipients[0].state === 'delivered',
    )
    expect(delivered.recipients[0].lastResponse).toMatch(
      /^delivered locally: delivered to the mailbox; vacation notice [0-9a-f]{40}; forwarded to fwd@example\.net as [0-9a-f]{40}$/,
    )

    // A second message within the period, and an auto-submitted one: forwarded, never answered.
    await t.sendMail(message(['user2@domain1.test']))
    await t.sendMail(message(['user2@domain1.test'], { headers: { 'Auto-Submitted': 'auto-generated' } }))
    expect((await until(copies, (r) => r.total >= 3)).total).toBe(3)
    const all = await until(
      () => getJson('/_mailfront/messages?to=user2@domain1.test'),
      (r) =>
        r.messages.every((m: { recipients: { state: string }[] }) => m.recipients[0]!.state === 'delivered'),
    )
    expect(all.total).toBe(3)
    expect(all.messages[1].recipients[0].lastResponse).toContain(
      'no vacation notice: already answered in this period',
    )
    expect(all.messages[0].recipients[0].lastResponse).toContain(
      'no vacation notice: Auto-Submitted: auto-generated',
    )
    expect((await getJson('/_mailfront/messages?to=sales@example.com')).total).toBe(1)
  })
})
