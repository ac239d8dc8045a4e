import nodemailer from 'nodemailer'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../config.ts'
import { startMailfront } from '../testing.ts'

describe("startMailfront's waitForMessage and MAILFRONT_MAIL_RETAIN", () => {
  it('waits for a matching message, rejects at its timeout naming the filter, and prunes to the retained count', async () => {
    const mf = await startMailfront({
      fixtures: false,
      env: { MAILFRONT_SMTP_AUTH: 'any', MAILFRONT_MAIL_RETAIN: '2' },
    })
    try {
      const t = nodemailer.createTransport({ host: '127.0.0.1', port: mf.smtpPort })
      const waiting = mf.waitForMessage({ q: 'confirmation code' }, { timeout: 20_000 })
      await t.sendMail({ from: 'a@example.com', to: 'b@example.org', subject: 'Noise', text: 'nothing' })
      await t.sendMail({
        from: 'a@example.com',
        to: 'b@example.org',
        subject: 'Signup',
        text: 'Your confirmation code is 4711',
      })
      const m = await waiting
      expect([m.subject, m.text?.trim()]).toEqual(['Signup', 'Your confirmation code is 4711'])
      await expect(mf.waitForMessage({ subject: 'never' }, { timeout: 300 })).rejects.toThrow(
        'mailfront: no message matching {"subject":"never"} within 300 ms',
      )
      await t.sendMail({ from: 'a@example.com', to: 'b@example.org', subject: 'Third', text: 'x' })
      // Pruned a second after mail arrives, once captured: the newest two stay.
      for (let i = 0; i < 100 && (await mf.messages()).length > 2; i++)
        await new Promise((r) => setTimeout(r, 100))
      expect((await mf.messages()).map((x) => x.subject)).toEqual(['Third', 'Signup'])
      t.close()
    } finally {
      await mf.close()
    }
  })

  it('reads MAILFRONT_MAIL_RETAIN as a count, an age or both', () => {
    expect(loadConfig({ MAILFRONT_MAIL_RETAIN: '1000' }).mail.retain).toEqual({ count: 1000 })
    expect(loadConfig({ MAILFRONT_MAIL_RETAIN: '7d' }).mail.retain).toEqual({ ageMs: 7 * 86_400_000 })
    expect(loadConfig({ MAILFRONT_MAIL_RETAIN: '500, 12h' }).mail.retain).toEqual({
      count: 500,
      ageMs: 43_200_000,
    })
    // The core's duration units (parseDuration), as the clock reads them.
    expect(loadConfig({ MAILFRONT_MAIL_RETAIN: '2w' }).mail.retain).toEqual({ ageMs: 14 * 86_400_000 })
    expect(loadConfig({ MAILFRONT_MAIL_RETAIN: '1h30m' }).mail.retain).toEqual({ ageMs: 5_400_000 })
    expect(loadConfig({}).mail.retain).toBeUndefined()
    for (const v of ['lots', '7y', '10,x', '', '-1d', '99999999999999w'])
      expect(() => loadConfig({ MAILFRONT_MAIL_RETAIN: v })).toThrow(
        new ConfigError(
          `MAILFRONT_MAIL_RETAIN must be a count, an age (30m, 12h, 7d) or both (1000,7d) (got "${v}")`,
        ),
      )
  })

  it('refuses a count or an age of 0 (all mail deleted as it arrives)', () => {
    expect(() => loadConfig({ MAILFRONT_MAIL_RETAIN: '0' })).toThrow(
      new ConfigError(
        'MAILFRONT_MAIL_RETAIN: a count of 0 would delete all mail as it arrives: give 1 or more (unset keeps all) (got "0")',
      ),
    )
    expect(() => loadConfig({ MAILFRONT_MAIL_RETAIN: '0,7d' })).toThrow(/a count of 0/)
    expect(() => loadConfig({ MAILFRONT_MAIL_RETAIN: '0s' })).toThrow(/an age of 0/)
  })
})
