import { beforeAll, describe, expect, it } from 'vitest'
import { startApp, type TestApp } from '../test/testkit.ts'
import { SMS, type SmsRow } from './store-resources.ts'

let t: TestApp
let account: string
beforeAll(async () => {
  t = await startApp()
  account = await t.login('test_account', '123456')
})

describe('password reset by SMS', () => {
  const mail = 'user2@domain1.test'
  const sms = () => t.ctx.storage.findMany<SmsRow>({ model: SMS, sort: [{ field: 'id', dir: 'desc' }] })

  it('offers SMS only with the capability and a cell phone, the same answer for an unknown mailbox', async () => {
    expect(await t.ok('mail.passwordreset.listmethods', { mail })).toEqual([])
    expect(await t.ok('mail.passwordreset.listmethods', { mail: 'nobody@domain1.test' })).toEqual([])
    await t.ok('mail.set', { mail, cell_phone: '+49 170 7654321' }, account)
    await t.ok('mail.capabilities.set', { mail, capabilities: ['MAIL_PASSWORDRESET_SMS'] }, account)
    expect(await t.ok('mail.passwordreset.listmethods', { mail })).toEqual(['sms'])
  })

  it('sends a code only to the mailbox’s number, answering true either way', async () => {
    const before = (await sms()).length
    expect(await t.ok('mail.passwordreset.sendsms', { mail, cell_phone: '+49 170 0000000' })).toBe(true)
    expect(
      await t.ok('mail.passwordreset.sendsms', {
        mail: 'nobody@domain1.test',
        cell_phone: '+49 170 7654321',
      }),
    ).toBe(true)
    expect(await sms()).toHaveLength(before)
    expect(await t.ok('mail.passwordreset.sendsms', { mail, cell_phone: '0049 (170) 765-4321' })).toBe(true)
    const [last] = await sms()
    expect(last!.to).toBe('+491707654321')
    expect(last!.text).toMatch(
      /^mailbox\.org: your password reset code for user2@domain1\.test is \d{8}\. It is valid for 15 minutes\.$/,
    )
  })

  it('sets the password with the code once, ending the mailbox’s sessions; wrong codes count', async () => {
    await t.ok('mail.set', { mail, password: 'before-reset' }, account)
    const old = await t.login(mail, 'before-reset')
    await t.ok('mail.passwordreset.sendsms', { mail, cell_phone: '+491707654321' })
    const code = /is (\d{8})\./.exec((await sms())[0]!.text)![1]!
    const wrong = code === '00000000' ? '00000001' : '00000000'
    const invalid = { code: 1020, message: 'The token is invalid or expired' }
    expect(
      (await t.call('mail.passwordreset.setpassword', { mail, token: wrong, password: 'after-reset' })).error,
    ).toEqual(invalid)
    expect(await t.ok('mail.passwordreset.setpassword', { mail, token: code, password: 'after-reset' })).toBe(
      true,
    )
    expect(
      (await t.call('mail.passwordreset.setpassword', { mail, token: code, password: 'again-reset' })).error,
    ).toEqual(invalid)
    expect((await t.call('hello.innerworld', '', old)).error?.code).toBe(253)
    expect(await t.login(mail, 'after-reset')).toBeTruthy()
  })

  it('forgets a code after five wrong tries and when it expires, and limits SMS per mailbox', async () => {
    await t.ok('mail.passwordreset.sendsms', { mail, cell_phone: '+491707654321' })
    const code = /is (\d{8})\./.exec((await sms())[0]!.text)![1]!
    const wrong = code === '00000000' ? '00000001' : '00000000'
    for (let i = 0; i < 5; i++)
      await t.call('mail.passwordreset.setpassword', { mail, token: wrong, password: 'guessing' })
    expect(
      (await t.call('mail.passwordreset.setpassword', { mail, token: code, password: 'guessing' })).error
        ?.code,
    ).toBe(1020)
    // The fifth SMS this hour for this mailbox, then the limit.
    await t.ok('mail.passwordreset.sendsms', { mail, cell_phone: '+491707654321' })
    const late = /is (\d{8})\./.exec((await sms())[0]!.text)![1]!
    t.ctx.clock.advance(15 * 60_000 + 1)
    expect(
      (await t.call('mail.passwordreset.setpassword', { mail, token: late, password: 'too-late' })).error
        ?.code,
    ).toBe(1020)
    const limited = await t.call('mail.passwordreset.sendsms', { mail, cell_phone: '+491707654321' })
    expect(limited.error?.code).toBe(1021)
    expect(limited.error?.message).toMatch(/^Too many password reset requests, wait \d+ seconds$/)
  })
})
