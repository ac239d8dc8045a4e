import { hashPassword } from '@mailfront/core'
import { createTestContext, mountPluginForTest, type TestContext } from '@mailfront/core/testing'
import { beforeAll, describe, expect, it } from 'vitest'
import { mailboxorgPlugin } from './index.ts'
import { mailboxorgSmtpAuth } from './smtp.ts'
import { APP_PASSWORD, MAIL } from './store.ts'

let ctx: TestContext
let auth: ReturnType<typeof mailboxorgSmtpAuth>

const mailbox = (mail: string, active: boolean, password_hash: string | null) => ({
  mail,
  domain: 'domain1.test',
  account: 'test_account',
  password_hash,
  plan: 'standard',
  active,
  created_at: 0,
})

beforeAll(async () => {
  ctx = createTestContext()
  await mountPluginForTest(mailboxorgPlugin(), ctx)
  const own = await hashPassword('own-password')
  const app = await hashPassword('app-password-1')
  await ctx.storage.create({ model: MAIL, data: mailbox('user1@domain1.test', true, own) })
  await ctx.storage.create({ model: MAIL, data: mailbox('off@domain1.test', false, own) })
  await ctx.storage.create({ model: MAIL, data: mailbox('nopw@domain1.test', true, null) })
  for (const [mail, smtp] of [
    ['user1@domain1.test', true],
    ['off@domain1.test', true],
    ['nopw@domain1.test', true],
    ['user1@domain1.test', false],
  ] as const)
    await ctx.storage.create({
      model: APP_PASSWORD,
      data: {
        mail,
        memo: 'm',
        password_hash: smtp ? app : await hashPassword('imap-only'),
        imap_allowed: true,
        smtp_allowed: smtp,
        created_at: 0,
      },
    })
  auth = mailboxorgSmtpAuth(ctx)
})

describe('mailbox.org on the submission port', () => {
  it("accepts the mailbox's password and its SMTP app passwords", async () => {
    expect(await auth.authenticate('User1@domain1.test', 'own-password', '127.0.0.1')).toEqual({
      principal: 'user1@domain1.test',
    })
    expect(await auth.authenticate('user1@domain1.test', 'app-password-1', '127.0.0.1')).toEqual({
      principal: 'user1@domain1.test',
    })
    expect(await auth.authenticate('nopw@domain1.test', 'app-password-1', '127.0.0.1')).toEqual({
      principal: 'nopw@domain1.test',
    })
  })

  it('refuses a wrong password, an IMAP-only app password, an inactive or unknown mailbox', async () => {
    expect(await auth.authenticate('user1@domain1.test', 'wrong', '127.0.0.1')).toBeNull()
    expect(await auth.authenticate('user1@domain1.test', 'imap-only', '127.0.0.1')).toBeNull()
    expect(await auth.authenticate('off@domain1.test', 'own-password', '127.0.0.1')).toBeNull()
    expect(await auth.authenticate('off@domain1.test', 'app-password-1', '127.0.0.1')).toBeNull()
    expect(await auth.authenticate('nobody@domain1.test', 'own-password', '127.0.0.1')).toBeNull()
  })
})
