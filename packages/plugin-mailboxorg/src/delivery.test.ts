import { MailRejection, type MessageSummary, type SubmitInput } from '@mailfront/core'
import { describe, expect, it } from 'vitest'
import { startApp, type TestApp } from '../test/testkit.ts'
import { blacklisted } from './blacklist.ts'
import { mailboxorgLocalDelivery } from './delivery.ts'

// The plugin's side of local delivery, with a recording mail service in place of the pipeline
// (apps/server tests run the same flows through the real pipeline and the SMTP port).

const DAY = 86_400_000
const MAILBOX = 'user1@domain1.test'

function recorder() {
  const sent: SubmitInput[] = []
  let n = 0
  const submit = async (input: SubmitInput): Promise<MessageSummary> => {
    sent.push(input)
    n++
    return {
      id: `m${n}`,
      envelope: input.envelope,
      size: input.raw.byteLength,
      plugin: input.plugin,
      via: input.via,
      receivedAt: 0,
      recipients: [],
    }
  }
  return { sent, submit }
}

async function setup() {
  const t: TestApp = await startApp()
  const rec = recorder()
  t.ctx.mail = { submit: rec.submit } as never
  const session = await t.login('test_account', '123456')
  const delivery = mailboxorgLocalDelivery(t.ctx, () => ({ vacationDays: 7 }))
  const message = (from: string, headers = '', id = 'orig-1@example.org') => {
    const raw = Buffer.from(
      `From: ${from}\r\nTo: ${MAILBOX}\r\nSubject: Hi\r\nMessage-ID: <${id}>\r\n${headers}\r\nHello\r\n`,
    )
    const summary: MessageSummary = {
      id: 'orig',
      messageId: id,
      envelope: { from, to: [MAILBOX] },
      size: raw.length,
      plugin: 'authsmtp',
      via: 'smtp',
      receivedAt: 0,
      recipients: [],
    }
    return delivery.delivered!({ message: summary, recipient: MAILBOX, raw })
  }
  return { ...t, rec, session, delivery, message }
}

async function vacation(t: Awaited<ReturnType<typeof setup>>, start: string, end: string) {
  // A fresh session: the clock may have moved past the first one's lifetime.
  await t.ok(
    'mail.vacation.set',
    { mail: MAILBOX, subject: 'Away', body: 'Back soon.', start_date: start, end_date: end },
    await t.login('test_account', '123456'),
  )
}

describe('blacklist matching', () => {
  it('matches addresses, domains and wildcards, case-insensitively; never the null sender', () => {
    expect(blacklisted(['spam@example.com'], 'Spam@Example.com')).toBe('spam@example.com')
    expect(blacklisted(['example.com'], 'a@example.com')).toBe('example.com')
    expect(blacklisted(['@example.com'], 'a@example.com')).toBe('@example.com')
    expect(blacklisted(['*@example.com'], 'a@example.com')).toBe('*@example.com')
    expect(blacklisted(['*@*.example.com'], 'a@mx.example.com')).toBe('*@*.example.com')
    expect(blacklisted(['example.com'], 'a@notexample.com')).toBeUndefined()
    expect(blacklisted(['a.b@x.org'], 'aXb@x.org')).toBeUndefined()
    expect(blacklisted(['*'], '')).toBeUndefined()
  })
})

describe('checkRecipient', () => {
  it('hosts mailboxes only, refuses blacklisted senders and disabled mailboxes with a 5xx', async () => {
    const t = await setup()
    expect(await t.delivery.checkRecipient('a@example.org', 'nobody@elsewhere.test')).toBe(false)
    expect(await t.delivery.checkRecipient('a@example.org', 'USER1@domain1.test')).toBe(true)
    await t.ok('mail.blacklist.add', { mail: MAILBOX, add_address: 'a@example.org' }, t.session)
    const e = await t.delivery.checkRecipient('A@Example.org', MAILBOX).catch((x) => x)
    expect(e).toBeInstanceOf(MailRejection)
    expect([e.code, e.message]).toEqual([550, `5.7.1 <${MAILBOX}>: sender blocked by recipient`])
    expect(await t.delivery.checkRecipient('b@example.org', MAILBOX)).toBe(true)
    expect(await t.delivery.checkRecipient('', MAILBOX)).toBe(true)
    await t.ok('mail.set', { mail: MAILBOX, active: false }, t.session)
    const d = await t.delivery.checkRecipient('b@example.org', MAILBOX).catch((x) => x)
    expect([d.code, d.message]).toEqual([550, `5.2.1 <${MAILBOX}>: mailbox disabled`])
  })
})

describe('vacation notice', () => {
  it('answers once per sender per period, again after the days and for a new vacation', async () => {
    const t = await setup()
    await vacation(t, '2026-06-01', '2026-07-31')
    expect(await t.message('alice@example.org')).toMatch(/^delivered to the mailbox; vacation notice m1$/)
    const n = t.rec.sent[0]!
    expect(n.envelope).toEqual({ from: '', to: ['alice@example.org'] })
    expect([n.plugin, n.principal, n.via]).toEqual(['mailboxorg', MAILBOX, 'local'])
    const text = Buffer.from(n.raw).toString()
    expect(text).toMatch(/^Auto-Submitted: auto-replied\r$/m)
    expect(text).toMatch(/^In-Reply-To: <orig-1@example\.org>\r$/m)
    expect(text).toMatch(/^References: <orig-1@example\.org>\r$/m)
    expect(text).toMatch(/^From: user1@domain1\.test\r$/m)
    expect(text).toMatch(/^To: alice@example\.org\r$/m)
    expect(text).toMatch(/^Subject: Away\r$/m)
    expect(text).toContain('Back soon.')

    // Same sender within the period: no second notice; another sender gets one.
    t.ctx.clock.advance(6 * DAY)
    expect(await t.message('ALICE@example.org')).toContain(
      'no vacation notice: already answered in this period',
    )
    expect(await t.message('bob@example.org')).toContain('vacation notice m2')
    expect(t.rec.sent).toHaveLength(2)
    // Seven days after the first notice: a new one.
    t.ctx.clock.advance(DAY)
    expect(await t.message('alice@example.org')).toContain('vacation notice m3')
    // A new vacation answers anew at once.
    await vacation(t, '2026-06-02', '2026-07-31')
    expect(await t.message('alice@example.org')).toContain('vacation notice m4')
    expect(await t.message('alice@example.org')).toContain('already answered')
    expect(t.rec.sent).toHaveLength(4)
  })

  it('answers only within the vacation (UTC days, both ends included)', async () => {
    const t = await setup()
    // The test clock stands at 2026-06-10 17:40:30 UTC.
    await vacation(t, '2026-06-11', '2026-06-12')
    expect(await t.message('alice@example.org')).toBe('delivered to the mailbox')
    t.ctx.clock.set(Date.UTC(2026, 5, 11, 0, 0, 0))
    expect(await t.message('alice@example.org')).toContain('vacation notice')
    t.ctx.clock.set(Date.UTC(2026, 5, 12, 23, 59, 59))
    expect(await t.message('bob@example.org')).toContain('vacation notice')
    t.ctx.clock.set(Date.UTC(2026, 5, 13, 0, 0, 0))
    expect(await t.message('carol@example.org')).toBe('delivered to the mailbox')
    expect(t.rec.sent).toHaveLength(2)
  })

  it('never answers a null sender, automatic mail, lists, or mail not addressed to the mailbox', async () => {
    const t = await setup()
    await vacation(t, '2026-06-01', '2026-06-30')
    const cases: [string, string, string][] = [
      ['', '', 'null sender'],
      ['mailer-daemon@example.org', '', 'automatic sender address'],
      ['owner-list@example.org', '', 'automatic sender address'],
      ['a@example.org', 'Auto-Submitted: auto-replied\r\n', 'Auto-Submitted: auto-replied'],
      ['a@example.org', 'Auto-Submitted: auto-generated\r\n', 'Auto-Submitted: auto-generated'],
      ['a@example.org', 'Precedence: bulk\r\n', 'Precedence: bulk'],
      ['a@example.org', 'Precedence: list\r\n', 'Precedence: list'],
      ['a@example.org', 'List-Id: <x.example.org>\r\n', 'mailing list message'],
      [MAILBOX, '', 'sent by the mailbox itself'],
    ]
    for (const [from, headers, why] of cases)
      expect(await t.message(from, headers), why).toBe(`delivered to the mailbox; no vacation notice: ${why}`)
    expect(t.rec.sent).toHaveLength(0)
    // Auto-Submitted: no is a person writing.
    expect(await t.message('a@example.org', 'Auto-Submitted: no\r\n')).toContain('vacation notice m1')
  })

  it('answers mail to an additional address, not a Bcc copy of a list', async () => {
    const t = await setup()
    await t.ok(
      'mail.vacation.set',
      {
        mail: MAILBOX,
        subject: 'Away',
        start_date: '2026-06-01',
        end_date: '2026-06-30',
        additional_mail_addresses: ['alias@domain1.test'],
      },
      t.session,
    )
    const raw = (to: string) => Buffer.from(`From: a@example.org\r\nTo: ${to}\r\nSubject: x\r\n\r\nx\r\n`)
    const deliver = (to: string, from: string) =>
      t.delivery.delivered!({
        message: {
          id: 'x',
          envelope: { from, to: [MAILBOX] },
          size: 1,
          plugin: 'authsmtp',
          via: 'smtp',
          receivedAt: 0,
          recipients: [],
        },
        recipient: MAILBOX,
        raw: raw(to),
      })
    expect(await deliver('team@example.org', 'a@example.org')).toContain(
      'no vacation notice: the mailbox is not among the addressees',
    )
    expect(await deliver('"Alias" <alias@domain1.test>', 'b@example.org')).toContain('vacation notice m1')
    // Without a Message-ID: no In-Reply-To, still a notice.
    expect(Buffer.from(t.rec.sent[0]!.raw).toString()).not.toMatch(/^In-Reply-To:/m)
  })

  it('gives the claim back when the notice cannot be queued, so a retry answers', async () => {
    const t = await setup()
    await vacation(t, '2026-06-01', '2026-06-30')
    let fail = true
    const rec = t.rec
    t.ctx.mail = {
      submit: async (i: SubmitInput) => {
        if (fail) throw new Error('store down')
        return rec.submit(i)
      },
    } as never
    await expect(t.message('alice@example.org')).rejects.toThrow('store down')
    fail = false
    expect(await t.message('alice@example.org')).toContain('vacation notice m1')
  })
})

describe('forwards', () => {
  it('submits one copy of the original bytes to every forward, the mailbox as envelope sender', async () => {
    const t = await setup()
    await t.ok('mail.set', { mail: MAILBOX, forwards: ['f1@example.net', 'f2@example.net'] }, t.session)
    expect(await t.message('alice@example.org')).toBe(
      'delivered to the mailbox; forwarded to f1@example.net, f2@example.net as m1',
    )
    const c = t.rec.sent[0]!
    expect(c.envelope).toEqual({ from: MAILBOX, to: ['f1@example.net', 'f2@example.net'] })
    expect([c.plugin, c.principal, c.via]).toEqual(['mailboxorg', MAILBOX, 'local'])
    expect(Buffer.from(c.raw).toString()).toBe(
      `Delivered-To: ${MAILBOX}\r\nFrom: alice@example.org\r\nTo: ${MAILBOX}\r\nSubject: Hi\r\nMessage-ID: <orig-1@example.org>\r\n\r\nHello\r\n`,
    )
    // A bounce stays a bounce: null envelope sender.
    await t.message('')
    expect(t.rec.sent[1]!.envelope.from).toBe('')
  })

  it('with inboxsave off the mailbox keeps nothing; a loop or too many hops stops forwarding', async () => {
    const t = await setup()
    await t.ok('mail.set', { mail: MAILBOX, forwards: ['f@example.net'], inboxsave: false }, t.session)
    expect(await t.message('a@example.org')).toBe(
      'not kept (inboxsave off); forwarded to f@example.net as m1',
    )
    expect(await t.message('a@example.org', `Delivered-To: ${MAILBOX.toUpperCase()}\r\n`)).toBe(
      `not kept (inboxsave off); not forwarded: forwarding loop: the message was already delivered to ${MAILBOX}`,
    )
    const hops = 'Received: from x by y\r\n'.repeat(50)
    expect(await t.message('a@example.org', hops)).toBe(
      'not kept (inboxsave off); not forwarded: too many hops (50)',
    )
    expect(t.rec.sent).toHaveLength(1)
  })

  it('a refused copy or notice is noted, not retried; the notice goes first, the copy last', async () => {
    const t = await setup()
    await t.ok('mail.set', { mail: MAILBOX, forwards: ['f@example.net'] }, t.session)
    await vacation(t, '2026-06-01', '2026-06-30')
    const sent = t.rec.sent
    t.ctx.mail = {
      submit: async (i: SubmitInput) => {
        sent.push(i)
        throw new MailRejection(550, `5.7.1 <${i.envelope.to[0]}>: sender blocked by recipient`)
      },
    } as never
    expect(await t.message('alice@example.org')).toBe(
      'delivered to the mailbox; vacation notice refused: 550 5.7.1 <alice@example.org>: sender blocked by recipient; not forwarded: 550 5.7.1 <f@example.net>: sender blocked by recipient',
    )
    expect(sent.map((i) => i.envelope.to)).toEqual([['alice@example.org'], ['f@example.net']])
    // The refused notice counts as the answer of this period.
    expect(await t.message('alice@example.org')).toContain('no vacation notice: already answered')
  })

  it('a failed copy fails the delivery (retried); the notice already sent is not sent again', async () => {
    const t = await setup()
    await t.ok('mail.set', { mail: MAILBOX, forwards: ['f@example.net'] }, t.session)
    await vacation(t, '2026-06-01', '2026-06-30')
    const rec = t.rec
    let fail = true
    t.ctx.mail = {
      submit: async (i: SubmitInput) => {
        if (fail && i.envelope.to[0] === 'f@example.net') throw new Error('store down')
        return rec.submit(i)
      },
    } as never
    await expect(t.message('alice@example.org')).rejects.toThrow('store down')
    fail = false
    expect(await t.message('alice@example.org')).toBe(
      'delivered to the mailbox; no vacation notice: already answered in this period; forwarded to f@example.net as m2',
    )
    expect(rec.sent.map((i) => i.envelope.to)).toEqual([['alice@example.org'], ['f@example.net']])
  })

  it('a mailbox deleted since the message was queued receives nothing', async () => {
    const t = await setup()
    await t.ok('mail.set', { mail: MAILBOX, forwards: ['f@example.net'] }, t.session)
    await t.ok('mail.del', { mail: MAILBOX }, t.session)
    expect(await t.message('a@example.org')).toBe('mailbox no longer exists: nothing kept')
    expect(t.rec.sent).toHaveLength(0)
  })
})
