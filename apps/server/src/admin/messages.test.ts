import { memoryAdapter, silentLogger } from '@mailfront/core'
import { createMailPipeline, mailModels } from '@mailfront/mail'
import { Hono } from 'hono'
import nodemailer from 'nodemailer'
import { beforeEach, describe, expect, it } from 'vitest'
import { createAdminApp } from './app.ts'
import { messageRoutes } from './messages.ts'

let app: Hono
let mail: ReturnType<typeof createMailPipeline>
let warnings: [object | string, string | undefined][]

/** A real MIME message, as an application would compose it. */
async function compose(subject: string, to = 'bob@example.org'): Promise<Buffer> {
  const t = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' })
  const info = await t.sendMail({
    from: 'Alice <alice@example.com>',
    to,
    subject,
    text: 'Hello Bob',
    html: '<p>Hello <b>Bob</b></p>',
    attachments: [{ filename: 'note.txt', content: 'attached text' }],
    messageId: `<${subject.replace(/\W/g, '')}@example.com>`,
  })
  return info.message as Buffer
}

async function submit(subject: string, to = 'bob@example.org') {
  return mail.submit({
    envelope: { from: 'alice@example.com', to: [to] },
    raw: await compose(subject, to),
    plugin: 'smtpd',
    principal: 'acct-1',
    via: 'api',
  })
}

beforeEach(async () => {
  const storage = memoryAdapter()
  await storage.migrate(mailModels)
  warnings = []
  const log = { ...silentLogger, warn: (o: object | string, msg?: string) => void warnings.push([o, msg]) }
  mail = createMailPipeline({ storage, log })
  app = new Hono()
  app.route('/_mailfront', createAdminApp({ inProcessIsLocal: true, groups: [messageRoutes(mail)] }))
})

describe('captured mail API', () => {
  it('lists newest first with a total, paging and filters', async () => {
    await submit('First')
    await new Promise((r) => setTimeout(r, 5))
    await submit('Second', 'carol@example.net')
    const all = await (await app.request('/_mailfront/messages')).json()
    expect(all.total).toBe(2)
    expect(all.limit).toBe(50)
    expect(all.messages.map((m: { subject: string }) => m.subject)).toEqual(['Second', 'First'])
    expect(all.messages[0]).toMatchObject({
      envelope: { from: 'alice@example.com', to: ['carol@example.net'] },
      plugin: 'smtpd',
      principal: 'acct-1',
      via: 'api',
      recipients: [{ recipient: 'carol@example.net', state: 'queued', attempts: 0 }],
    })
    const page = await (await app.request('/_mailfront/messages?limit=1&offset=1')).json()
    expect(page.messages.map((m: { subject: string }) => m.subject)).toEqual(['First'])
    const byTo = await (await app.request('/_mailfront/messages?to=CAROL')).json()
    expect([byTo.total, byTo.messages.length]).toEqual([1, 1])
    const bySubject = await (await app.request('/_mailfront/messages?subject=firs')).json()
    expect(bySubject.messages[0].subject).toBe('First')
    const none = await (await app.request('/_mailfront/messages?from=nobody')).json()
    expect(none).toMatchObject({ total: 0, messages: [] })
  })

  it('rejects bad paging', async () => {
    for (const q of ['limit=x', 'limit=0', 'limit=501', 'offset=-1']) {
      const res = await app.request(`/_mailfront/messages?${q}`)
      expect(res.status).toBe(400)
      expect((await res.json()).error).toMatch(/limit|offset/)
    }
  })

  it('shows one message parsed: headers, text, html, attachments, delivery state', async () => {
    const m = await submit('Parsed')
    const res = await app.request(`/_mailfront/messages/${m.id}`)
    expect(res.status).toBe(200)
    const d = await res.json()
    expect(d).toMatchObject({
      id: m.id,
      messageId: 'Parsed@example.com',
      from: '"Alice" <alice@example.com>',
      to: 'bob@example.org',
      subject: 'Parsed',
      text: 'Hello Bob',
      html: '<p>Hello <b>Bob</b></p>',
      attachments: [{ filename: 'note.txt', contentType: 'text/plain', size: 13, inline: false }],
      recipients: [{ recipient: 'bob@example.org', state: 'queued' }],
    })
    expect(d.headers).toContainEqual(['subject', 'Parsed'])
    // The parsed message carries the sender's HTML: sandboxed and never sniffed as HTML.
    expect(res.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'")
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
  })

  it('shows stored mail that mailparser refuses (2,000 nested multiparts): 200 with its headers and the raw link, logged', async () => {
    let open = ''
    let close = ''
    for (let i = 0; i < 2000; i++) {
      open += `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`
      close = `\r\n--b${i}--\r\n${close}`
    }
    const raw = Buffer.from(
      `From: Mallory <mallory@example.com>\r\nTo: bob@example.org\r\nSubject: =?UTF-8?Q?Tief_verschachtelt_=E2=80=93_2000?=\r\n` +
        `Date: Mon, 07 Dec 2026 12:00:00 +0000\r\n${open}Content-Type: text/plain\r\n\r\nbottom${close}`,
    )
    // Stored directly (an API send, or a store from before the DATA bound): never through SMTP.
    const m = await mail.submit({
      envelope: { from: 'mallory@example.com', to: ['bob@example.org'] },
      raw,
      plugin: 'smtpd',
      via: 'api',
    })
    const res = await app.request(`/_mailfront/messages/${m.id}`)
    expect(res.status).toBe(200)
    const d = await res.json()
    expect(d).toMatchObject({
      id: m.id,
      from: 'Mallory <mallory@example.com>',
      to: 'bob@example.org',
      subject: 'Tief verschachtelt – 2000',
      date: '2026-12-07T12:00:00.000Z',
      attachments: [],
      parseError: 'Max allowed child nodes exceeded',
      rawUrl: `/_mailfront/messages/${m.id}/raw`,
    })
    expect(d.headers.slice(0, 3)).toEqual([
      ['from', 'Mallory <mallory@example.com>'],
      ['to', 'bob@example.org'],
      ['subject', 'Tief verschachtelt – 2000'],
    ])
    expect(d.text).toBeUndefined()
    expect(warnings).toEqual([
      [
        { mail: m.id, error: 'Max allowed child nodes exceeded' },
        'captured mail: message could not be parsed',
      ],
    ])
    // The raw source is there in full; its attachments are none (404), never a 500.
    const rawRes = await app.request(d.rawUrl)
    expect(rawRes.status).toBe(200)
    expect(Buffer.from(await rawRes.arrayBuffer()).equals(raw)).toBe(true)
    expect((await app.request(`/_mailfront/messages/${m.id}/attachments/0`)).status).toBe(404)
  })

  it('serves the raw bytes as message/rfc822', async () => {
    const m = await submit('Raw')
    const res = await app.request(`/_mailfront/messages/${m.id}/raw`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('message/rfc822')
    // Sender content on our origin: downloaded, sandboxed, never sniffed (issue 24, item 2).
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="${m.id}.eml"; filename*=UTF-8''${m.id}.eml`,
    )
    expect(res.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'")
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from((await mail.raw(m.id))!))).toBe(true)
  })

  it('answers 404 for an unknown message', async () => {
    for (const p of ['/_mailfront/messages/nope', '/_mailfront/messages/nope/raw']) {
      const res = await app.request(p)
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({ error: 'no message nope' })
    }
  })

  it('deletes one message with its queue entries', async () => {
    const a = await submit('A')
    const b = await submit('B')
    const res = await app.request(`/_mailfront/messages/${a.id}`, { method: 'DELETE' })
    expect(await res.json()).toEqual({ deleted: 1 })
    expect((await app.request(`/_mailfront/messages/${a.id}`)).status).toBe(404)
    expect(await mail.entries()).toMatchObject([{ message: b.id }])
    const again = await app.request(`/_mailfront/messages/${a.id}`, { method: 'DELETE' })
    expect([again.status, await again.json()]).toEqual([404, { error: `no message ${a.id}` }])
  })

  it('deletes every message', async () => {
    await submit('A')
    await submit('B')
    const res = await app.request('/_mailfront/messages', { method: 'DELETE' })
    expect(await res.json()).toEqual({ deleted: 2 })
    expect((await (await app.request('/_mailfront/messages')).json()).total).toBe(0)
  })
})
