import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MailRejection, silentLogger } from '@mailfront/core'
import { startWorker } from '@mailfront/mail'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from './config.ts'
import { createRuntime, loadStartupFixtures, type Runtime } from './runtime.ts'

// mailbox.org mailboxes as recipients of the mail pipeline, through HTTP: set up with the JSON-RPC
// API, mail submitted as a plugin's API submits it, the result read from /_mailfront/messages.

const TOKEN = 't'.repeat(32)
const MAILBOX = 'user1@domain1.test'
let rt: Runtime

beforeEach(async () => {
  rt = await createRuntime(
    loadConfig({
      MAILFRONT_DATABASE_URL: 'memory:',
      MAILFRONT_DEMO: 'on',
      MAILFRONT_SECRET: 's'.repeat(40),
      MAILFRONT_ADMIN_TOKEN: TOKEN,
      MAILFRONT_DATA_DIR: mkdtempSync(join(tmpdir(), 'mf-mboxdeliv-')),
    }),
    silentLogger,
  )
  await loadStartupFixtures(rt)
})
afterEach(() => rt.close())

async function rpc(method: string, params: unknown, session?: string) {
  const res = await rt.app.request('/v1/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(session ? { 'HPLS-AUTH': session } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  const body = JSON.parse(await res.text())
  expect(body.error, `${method}: ${JSON.stringify(body.error)}`).toBeUndefined()
  return body.result
}

async function admin(path: string) {
  const res = await rt.app.request(`/_mailfront${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } })
  expect(res.status).toBe(200)
  return JSON.parse(await res.text())
}

const raw = (from: string, extra = '', id = 'm1@example.org') =>
  Buffer.from(
    `From: ${from}\r\nTo: ${MAILBOX}\r\nSubject: Hello\r\nMessage-ID: <${id}>\r\n${extra}\r\nHi\r\n`,
  )

/** Submitted as SMTPD's send API would, then one delivery round. */
async function send(from: string, to: string[] = [MAILBOX], extra = '', id?: string) {
  const m = await rt.mail.submit({
    envelope: { from, to },
    raw: raw(from, extra, id),
    plugin: 'smtpd',
    principal: 'acct-1',
    via: 'api',
  })
  const w = startWorker(rt.mail, { mode: 'capture', pollMs: 60_000 })
  await w.runOnce()
  await w.runOnce() // follow-ups submitted during the first round
  await w.stop()
  return m
}

describe('mailbox.org sub-resources that act (HTTP)', () => {
  it('blacklist: a listed sender is refused with a 5xx; other recipients still get the message', async () => {
    const s = (await rpc('auth', { user: 'test_account', pass: '123456' })).session
    expect(await rpc('mail.blacklist.add', { mail: MAILBOX, add_address: '*@spam.example' }, s)).toEqual([
      '*@spam.example',
    ])
    const e = await rt.mail
      .submit({
        envelope: { from: 'bot@spam.example', to: [MAILBOX] },
        raw: raw('bot@spam.example'),
        plugin: 'smtpd',
        via: 'api',
      })
      .catch((x) => x)
    expect(e).toBeInstanceOf(MailRejection)
    expect([e.code, e.message]).toEqual([550, `5.7.1 <${MAILBOX}>: sender blocked by recipient`])
    expect((await admin('/messages')).total).toBe(0)

    const m = await send('bot@spam.example', [MAILBOX, 'user2@domain1.test'])
    const got = await admin(`/messages/${m.id}`)
    expect(
      got.recipients.map((r: { recipient: string; state: string; lastResponse: string }) => [
        r.recipient,
        r.state,
        r.lastResponse,
      ]),
    ).toEqual([
      [MAILBOX, 'bounced', `550 5.7.1 <${MAILBOX}>: sender blocked by recipient`],
      ['user2@domain1.test', 'delivered', 'delivered locally: delivered to the mailbox'],
    ])
    const dsn = await admin('/messages?to=bot@spam.example')
    expect(dsn.messages.map((x: { via: string }) => x.via)).toEqual(['dsn'])

    // Taken off the list: delivered.
    await rpc('mail.blacklist.del', { mail: MAILBOX, delete_address: '*@spam.example' }, s)
    const ok = await send('bot@spam.example')
    expect((await admin(`/messages/${ok.id}`)).recipients[0].state).toBe('delivered')
  })

  it('vacation: one notice per sender, never to a null sender or an auto-submitted message', async () => {
    const s = (await rpc('auth', { user: 'test_account', pass: '123456' })).session
    const today = new Date().toISOString().slice(0, 10)
    await rpc(
      'mail.vacation.set',
      {
        mail: MAILBOX,
        subject: 'Out of office',
        body: 'Back on Monday.',
        start_date: today,
        end_date: '2099-12-31',
      },
      s,
    )
    const first = await send('alice@example.org', [MAILBOX], '', 'first@example.org')
    const notices = async () => (await admin('/messages?to=alice@example.org')).messages
    const [n] = await notices()
    expect(n).toMatchObject({
      envelope: { from: '', to: ['alice@example.org'] },
      subject: 'Out of office',
      plugin: 'mailboxorg',
      principal: MAILBOX,
      via: 'local',
      recipients: [{ recipient: 'alice@example.org', state: 'delivered', lastResponse: 'captured' }],
    })
    const detail = await admin(`/messages/${n.id}`)
    const header = (name: string) => detail.headers.find((h: [string, string]) => h[0] === name)?.[1]
    expect(header('auto-submitted')).toBe('auto-replied')
    expect(header('in-reply-to')).toBe('<first@example.org>')
    expect(header('references')).toBe('<first@example.org>')
    expect(detail.from).toBe(MAILBOX)
    expect(detail.text).toBe('Back on Monday.\n')
    expect((await admin(`/messages/${first.id}`)).recipients[0].lastResponse).toBe(
      `delivered locally: delivered to the mailbox; vacation notice ${n.id}`,
    )

    const second = await send('alice@example.org')
    expect(await notices()).toHaveLength(1)
    expect((await admin(`/messages/${second.id}`)).recipients[0].lastResponse).toBe(
      'delivered locally: delivered to the mailbox; no vacation notice: already answered in this period',
    )
    await send('')
    await send('bob@example.org', [MAILBOX], 'Auto-Submitted: auto-generated\r\n')
    expect((await admin('/messages?to=bob@example.org')).total).toBe(0)
    expect((await admin('/messages?plugin=mailboxorg')).total).toBe(1)
  })

  it('forwards: a copy of the original bytes to each forward address, inboxsave honoured', async () => {
    const s = (await rpc('auth', { user: 'test_account', pass: '123456' })).session
    const set = await rpc(
      'mail.set',
      { mail: MAILBOX, forwards: ['far@example.net', 'user2@domain1.test'], inboxsave: false },
      s,
    )
    expect(set.type).toBe('forward')
    const m = await send('carol@example.org')
    const copies = (await admin('/messages?plugin=mailboxorg')).messages
    expect(copies).toHaveLength(1)
    const c = copies[0]
    expect(c).toMatchObject({
      envelope: { from: MAILBOX, to: ['far@example.net', 'user2@domain1.test'] },
      subject: 'Hello',
      via: 'local',
      principal: MAILBOX,
    })
    // The hosted forward target is delivered locally, the other captured.
    expect(
      c.recipients.map((r: { recipient: string; lastResponse: string }) => [r.recipient, r.lastResponse]),
    ).toEqual([
      ['far@example.net', 'captured'],
      ['user2@domain1.test', 'delivered locally: delivered to the mailbox'],
    ])
    const copyRaw = await rt.app.request(`/_mailfront/messages/${c.id}/raw`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    })
    expect(await copyRaw.text()).toBe(`Delivered-To: ${MAILBOX}\r\n${raw('carol@example.org').toString()}`)
    expect((await admin(`/messages/${m.id}`)).recipients[0].lastResponse).toBe(
      `delivered locally: not kept (inboxsave off); forwarded to far@example.net, user2@domain1.test as ${c.id}`,
    )

    // A loop (user2 forwards back to user1) ends at the second pass through user1.
    await rpc('mail.set', { mail: 'user2@domain1.test', forwards: [MAILBOX] }, s)
    await send('dave@example.org', [MAILBOX], '', 'dave-1@example.org')
    const w = startWorker(rt.mail, { mode: 'capture', pollMs: 60_000 })
    for (let i = 0; i < 4; i++) await w.runOnce()
    await w.stop()
    const all = (await admin('/messages?limit=500')).messages as {
      messageId: string
      envelope: { from: string }
    }[]
    // dave's original, user1's copy (to far and user2), user2's copy back to user1; there it stops.
    expect(
      all
        .filter((x) => x.messageId === 'dave-1@example.org')
        .map((x) => x.envelope.from)
        .sort(),
    ).toEqual(['dave@example.org', MAILBOX, 'user2@domain1.test'])
  })
})
