import { MailRejection, type MessageSummary } from '@mailfront/core'
import { createTestContext, mountPluginForTest, type TestContext } from '@mailfront/core/testing'
import { beforeEach, describe, expect, it } from 'vitest'
import { commands } from './cli.ts'
import { upsertAccount } from './fixtures.ts'
import { authsmtpPlugin } from './index.ts'
import { authsmtpSmtpAuth } from './smtp.ts'
import { findAccount } from './store.ts'
import { londonToEpoch } from './time.ts'

const ACCOUNT = {
  user_id: 'aa12345',
  api_password: 'demo-api-password',
  smtp_password: 'demo-smtp-password',
  api_enabled: true,
  created_at: londonToEpoch(2025, 1, 28),
  messages_limit: 1000n,
  data_limit: 209715200n,
  messages_sent: 120n,
  data_sent: 3145728n,
  max_message_size: 10485760n,
  from_addresses_limit: 10n,
  from_addresses: ['sales@example.com', 'info@example.com'],
  ip_addresses: [],
}

let ctx: TestContext
let auth: ReturnType<typeof authsmtpSmtpAuth>

beforeEach(async () => {
  ctx = createTestContext()
  await mountPluginForTest(authsmtpPlugin(), ctx)
  await upsertAccount(ctx, ACCOUNT as never)
  auth = authsmtpSmtpAuth(ctx)
})

const env = (from = 'sales@example.com') => ({ envelope: { from, to: ['x@example.org'] }, size: 2048 })
const rejection = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => null,
    (err) => err,
  )
  expect(e).toBeInstanceOf(MailRejection)
  return [e.code, e.message]
}

describe('AuthSMTP on the submission port', () => {
  it('logs in with the SMTP password only, never the API password', async () => {
    expect(await auth.authenticate('AA12345', 'demo-smtp-password', '127.0.0.1')).toEqual({
      principal: 'aa12345',
    })
    expect(await auth.authenticate('aa12345', 'demo-api-password', '127.0.0.1')).toBeNull()
    expect(await auth.authenticate('nobody', 'demo-smtp-password', '127.0.0.1')).toBeNull()
    expect(await auth.authenticate('', '', '127.0.0.1')).toBeNull()
  })

  it('accepts a message within every limit and counts it at once', async () => {
    await auth.checkSubmit!('aa12345', env())
    await auth.accepted!('aa12345', { size: 2048 } as MessageSummary)
    const a = (await findAccount(ctx, 'aa12345'))!
    expect([a.messages_sent, a.data_sent]).toEqual([121n, 3145728n + 2048n])
  })

  it('refuses, saying which: size, messages, data, From', async () => {
    expect(await rejection(auth.checkSubmit!('aa12345', { ...env(), size: 10485761 }))).toEqual([
      552,
      "5.3.4 Message too big: 10485761 bytes, the account's max_message_size is 10485760",
    ])
    expect(await rejection(auth.checkSubmit!('aa12345', env('other@example.com')))).toEqual([
      553,
      "5.7.1 From address <other@example.com> is not one of the account's authorised From addresses",
    ])
    expect(
      await rejection(auth.checkSubmit!('aa12345', { ...env(), headerFrom: ['boss@elsewhere.example'] })),
    ).toEqual([
      553,
      "5.7.1 From address <boss@elsewhere.example> is not one of the account's authorised From addresses",
    ])
    await upsertAccount(ctx, { ...ACCOUNT, messages_sent: 1000n } as never)
    expect(await rejection(auth.checkSubmit!('aa12345', env()))).toEqual([
      550,
      '5.7.0 Message quota exceeded: 1000 of 1000 messages sent this period',
    ])
    await upsertAccount(ctx, { ...ACCOUNT, data_sent: 209715200n - 100n } as never)
    expect(await rejection(auth.checkSubmit!('aa12345', env()))).toEqual([
      552,
      '5.2.2 Data quota exceeded: 209715100 of 209715200 bytes sent this period, this message is 2048',
    ])
  })

  it('counts a due reset as done: a full account whose period ended may send again', async () => {
    await upsertAccount(ctx, {
      ...ACCOUNT,
      messages_sent: 1000n,
      next_reset: londonToEpoch(2020, 1, 28),
    } as never)
    await auth.checkSubmit!('aa12345', env())
    await auth.accepted!('aa12345', { size: 10 } as MessageSummary)
    const a = (await findAccount(ctx, 'aa12345'))!
    expect([a.messages_sent, a.data_sent]).toEqual([1n, 10n])
  })

  it('accepts any From when the account lists none', async () => {
    await upsertAccount(ctx, { ...ACCOUNT, from_addresses: [] } as never)
    await auth.checkSubmit!('aa12345', env('anyone@anywhere.example'))
  })

  it('sets the SMTP password from the CLI, printing a generated one when none is given', async () => {
    const set = commands.find((c) => c.path.join(' ') === 'authsmtp smtp-password set')!
    expect(await set.run(ctx, ['aa12345', 'new-smtp-password'], {})).toEqual({
      user_id: 'aa12345',
      smtp_password: 'set',
    })
    expect(await auth.authenticate('aa12345', 'new-smtp-password', '127.0.0.1')).toEqual({
      principal: 'aa12345',
    })
    expect(await auth.authenticate('aa12345', 'demo-smtp-password', '127.0.0.1')).toBeNull()
    const generated = (await set.run(ctx, ['aa12345'], {})) as { smtp_password: string }
    expect(generated.smtp_password.length).toBeGreaterThanOrEqual(20)
    expect(await auth.authenticate('aa12345', generated.smtp_password, '127.0.0.1')).not.toBeNull()
    await expect(set.run(ctx, ['nobody'], {})).rejects.toThrow('no AuthSMTP account "nobody"')
  })
})
