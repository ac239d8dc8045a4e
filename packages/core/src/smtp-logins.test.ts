import { describe, expect, it } from 'vitest'
import type { SmtpAuth } from './mail.ts'
import { assertSmtpLoginFree, SmtpLogins, SmtpLoginTaken } from './smtp-logins.ts'

const holding = (...logins: string[]): SmtpAuth => ({
  authenticate: async () => null,
  hasLogin: async (login) => logins.includes(login),
})

describe('assertSmtpLoginFree', () => {
  const logins = new SmtpLogins()
  logins.add('tmail', holding('a@example.com'))
  logins.add('smtpd', holding('b@example.com'))
  const ctx = { smtpLogins: logins }

  it("throws the plugin's own error, built from the holder", async () => {
    await expect(
      assertSmtpLoginFree(ctx, 'smtpd', 'a@example.com', (holder) => new Error(`exists (${holder})`)),
    ).rejects.toThrow('exists (tmail)')
  })

  it('throws SmtpLoginTaken without one; passes a free login, its own, or no namespace', async () => {
    await expect(assertSmtpLoginFree(ctx, 'smtpd', 'a@example.com')).rejects.toBeInstanceOf(SmtpLoginTaken)
    await assertSmtpLoginFree(ctx, 'smtpd', 'c@example.com', () => new Error('never'))
    await assertSmtpLoginFree(ctx, 'smtpd', 'b@example.com', () => new Error('never'))
    await assertSmtpLoginFree({}, 'smtpd', 'a@example.com', () => new Error('never'))
  })
})
