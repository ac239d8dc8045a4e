import { memoryAdapter, type StorageAdapter } from '@mailfront/core'
import { createMailPipeline, mailModels } from '@mailfront/mail'
import { pgliteAdapter, sqliteAdapter } from '@mailfront/storage-sql'
import { Hono } from 'hono'
import nodemailer, { type SendMailOptions } from 'nodemailer'
import { afterEach, describe, expect, it } from 'vitest'
import { createAdminApp } from './app.ts'
import { messageRoutes } from './messages.ts'

/** A 1×1 PNG, referenced by cid: from the HTML part. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
)

async function compose(o: SendMailOptions): Promise<Buffer> {
  const t = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' })
  return (await t.sendMail({ from: 'Alice <alice@example.com>', to: 'bob@example.org', ...o }))
    .message as Buffer
}

async function setup(storage: StorageAdapter) {
  await storage.migrate(mailModels)
  const mail = createMailPipeline({ storage })
  const app = new Hono()
  app.route('/_mailfront', createAdminApp({ inProcessIsLocal: true, groups: [messageRoutes(mail)] }))
  const submit = async (o: SendMailOptions, to = ['bob@example.org']) =>
    mail.submit({
      envelope: { from: 'alice@example.com', to },
      raw: await compose(o),
      plugin: 'smtpd',
      via: 'smtp',
    })
  const list = async (q: string) => {
    const res = await app.request(`/_mailfront/messages?${q}`)
    const body = await res.json()
    return {
      status: res.status,
      body,
      subjects: (body.messages ?? []).map((m: { subject: string }) => m.subject),
    }
  }
  return { mail, app, submit, list, storage }
}

let close: (() => Promise<void>) | undefined
afterEach(async () => {
  await close?.()
  close = undefined
})

const stores: [string, () => Promise<StorageAdapter>][] = [
  ['memory', async () => memoryAdapter()],
  ['SQLite', async () => sqliteAdapter({ filename: ':memory:' })],
  // PGlite is PostgreSQL's own engine: the same SQL (strpos) as a PostgreSQL server runs.
  ['PostgreSQL (PGlite)', () => pgliteAdapter()],
]

describe.each(stores)('?q= full-text search on %s', (_name, make) => {
  it('finds a word in the subject, addresses, text and HTML bodies, headers and attachment names', async () => {
    const s = await setup(await make())
    close = () => s.storage.close()
    await s.submit({ subject: 'Invoice 7', text: 'Your parcel is on its way' })
    await s.submit({ subject: 'Welcome', html: '<p>Click <b>Zebrafish</b> to confirm</p>' })
    await s.submit({
      subject: 'Report',
      text: 'see file',
      attachments: [{ filename: 'q3-figures.csv', content: 'a,b' }],
    })
    await s.submit({ subject: 'Tagged', text: 'x', headers: { 'X-Campaign': 'spring-sale' } })
    await s.submit({ subject: 'To Carol', text: 'x', to: 'Carol Jones <carol@example.net>' }, [
      'carol@example.net',
    ])
    await s.submit({ subject: '=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=', text: 'encoded subject' })
    const cases: [string, string[]][] = [
      ['q=PARCEL', ['Invoice 7']],
      ['q=zebrafish', ['Welcome']],
      ['q=figures.csv', ['Report']],
      ['q=spring-sale', ['Tagged']],
      ['q=carol%20jones', ['To Carol']],
      ['q=carol@example.net', ['To Carol']],
      ['q=gr%C3%BC%C3%9Fe', ['Grüße']],
      ['q=invoice', ['Invoice 7']],
      // Every term must occur; a quoted phrase is one term.
      ['q=your%20way', ['Invoice 7']],
      ['q=%22way%20your%22', []],
      ['q=%22on%20its%20way%22', ['Invoice 7']],
      ['q=nothing-like-this', []],
      // The HTML's tags are not its words.
      ['q=%3Cb%3E', []],
    ]
    for (const [q, want] of cases) {
      const r = await s.list(q)
      expect([q, r.status, r.subjects]).toEqual([q, 200, want])
      expect(r.body.total).toBe(want.length)
    }
    // Combined with the other filters and paging.
    expect((await s.list('q=example&subject=report')).subjects).toEqual(['Report'])
    const page = await s.list('q=alice&limit=2&offset=1')
    expect([page.body.total, page.subjects.length, page.body.offset]).toEqual([6, 2, 1])
    // Deleted with its message.
    const [m] = await s.mail.list({ q: 'parcel' })
    await s.app.request(`/_mailfront/messages/${m!.id}`, { method: 'DELETE' })
    expect((await s.list('q=parcel')).body.total).toBe(0)
  })
})

describe('captured mail API: filters, attachments, headers, waiting', () => {
  it('answers 400 for an unknown filter, naming the known ones', async () => {
    const s = await setup(memoryAdapter())
    await s.submit({ subject: 'A', text: 'a' })
    for (const q of ['sender=alice', 'subjet=A', 'q=a&state=queued']) {
      const r = await s.list(q)
      expect(r.status).toBe(400)
      expect(r.body.error).toMatch(
        /^unknown filter "(sender|subjet|state)": the filters are q, from, to, subject, plugin; paging limit, offset, wait$/,
      )
    }
  })

  it('serves each attachment as a download with its bytes, sandboxed, and numbers inline cid: parts', async () => {
    const s = await setup(memoryAdapter())
    const m = await s.submit({
      subject: 'Files',
      html: '<p>Logo: <img src="cid:logo@mailfront"></p>',
      attachments: [
        { filename: 'logo.png', content: PNG, cid: 'logo@mailfront' },
        { filename: 'résumé "v2".html', content: '<script>alert(1)</script>', contentType: 'text/html' },
      ],
    })
    const d = await (await s.app.request(`/_mailfront/messages/${m.id}`)).json()
    expect(d.attachments).toEqual([
      {
        index: 0,
        filename: 'logo.png',
        contentType: 'image/png',
        size: PNG.length,
        contentId: 'logo@mailfront',
        inline: true,
        url: `/_mailfront/messages/${m.id}/attachments/0`,
      },
      {
        index: 1,
        filename: 'résumé "v2".html',
        contentType: 'text/html',
        size: 25,
        inline: false,
        url: `/_mailfront/messages/${m.id}/attachments/1`,
      },
    ])
    const png = await s.app.request(d.attachments[0].url)
    expect(png.status).toBe(200)
    expect(Buffer.from(await png.arrayBuffer()).equals(PNG)).toBe(true)
    const h = (n: string) => png.headers.get(n)
    expect(
      ['content-type', 'content-disposition', 'content-security-policy', 'x-content-type-options'].map(h),
    ).toEqual([
      'image/png',
      `attachment; filename="logo.png"; filename*=UTF-8''logo.png`,
      "sandbox; default-src 'none'",
      'nosniff',
    ])
    const html = await s.app.request(d.attachments[1].url)
    expect(await html.text()).toBe('<script>alert(1)</script>')
    expect(html.headers.get('content-disposition')).toBe(
      `attachment; filename="r_sum_ _v2_.html"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22v2%22.html`,
    )
    expect(html.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'")
    for (const [path, error] of [
      [`/_mailfront/messages/${m.id}/attachments/2`, `message ${m.id} has no attachment 2`],
      ['/_mailfront/messages/nope/attachments/0', 'no message nope'],
    ]) {
      const res = await s.app.request(path!)
      expect([res.status, await res.json()]).toEqual([404, { error }])
    }
  })

  it('decodes encoded headers', async () => {
    const s = await setup(memoryAdapter())
    const m = await s.submit({ subject: 'Grüße aus Köln', text: 'x', from: 'Jörg <joerg@example.com>' })
    const d = await (await s.app.request(`/_mailfront/messages/${m.id}`)).json()
    expect(d.headers).toContainEqual(['subject', 'Grüße aus Köln'])
    expect(d.headers).toContainEqual(['from', 'Jörg <joerg@example.com>'])
  })

  it('?wait= answers when a matching message arrives, and with an empty list at the end of the wait', async () => {
    const s = await setup(memoryAdapter())
    await s.submit({ subject: 'Old news', text: 'x' })
    const waiting = s.list('subject=fresh&wait=20')
    let settled = false
    void waiting.then(() => {
      settled = true
    })
    await new Promise((r) => setTimeout(r, 100))
    expect(settled).toBe(false)
    await s.submit({ subject: 'Not it', text: 'x' })
    await s.submit({ subject: 'Fresh mail', text: 'x' })
    const r = await waiting
    expect([r.status, r.body.total, r.subjects]).toEqual([200, 1, ['Fresh mail']])
    // Already there: answered at once.
    expect((await s.list('subject=old&wait=20')).subjects).toEqual(['Old news'])
    // Nothing in time: 200 with an empty list.
    const empty = await s.list('subject=never&wait=1')
    expect([empty.status, empty.body]).toEqual([200, { total: 0, limit: 50, offset: 0, messages: [] }])
    const over = await s.list('wait=61')
    expect([over.status, over.body]).toEqual([400, { error: 'wait must be at most 60 seconds' }])
  })
})
