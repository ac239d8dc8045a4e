import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { runtime } from '../test/demo-runtime.ts'
import { pluginOptionsHelp } from './cli.ts'
import { GENERATED } from './generate.ts'
import { installedPlugins, pluginRateLimitDocs, rateLimitLine } from './registry.ts'

describe("the plugins' declared rate limits", () => {
  const docs = installedPlugins().flatMap((p) => pluginRateLimitDocs(p).map((d) => ({ plugin: p.id, ...d })))

  it('are listed by `mailfront --help` and the README, each from its declaration', () => {
    const help = pluginOptionsHelp()
    const readme = readFileSync(GENERATED.readme, 'utf8')
    expect(docs.length).toBeGreaterThan(0)
    for (const d of docs) {
      expect(help).toContain(`    rate limit ${rateLimitLine(d)}`)
      expect(readme).toContain(`- ${rateLimitLine(d)}`)
    }
  })

  it('say the numbers the plugins enforce with their default options (each plugin tests its own)', () => {
    expect(docs.map((d) => `${d.plugin} ${rateLimitLine(d)}`)).toEqual([
      'authsmtp api-calls: 1 per 20 s, API requests per user id (MAILFRONT_AUTHSMTP_RATE_WINDOW_S; 0: off)',
      'smtpd api-calls: 6000 per 60 s, calls per API key or user, per instance (MAILFRONT_SMTPD_CALLS_PER_MIN; 0: off)',
      'smtpd form-posts-address: 20 per 600 s, form posts per client address (MAILFRONT_SMTPD_FORM_POSTS_PER_ADDRESS; 0: off)',
      'smtpd form-posts-form: 200 per 600 s, posts to one form (MAILFRONT_SMTPD_FORM_POSTS_PER_FORM; 0: off)',
      'mailboxorg session-calls: 1200 per 60 s, calls per session, per instance (MAILFRONT_MAILBOXORG_SESSION_CALLS_PER_MIN; 0: off)',
      'mailboxorg sms-reset-mailbox: 5 per 3600 s, reset SMS per mailbox (fixed)',
      'mailboxorg sms-reset-address: 20 per 3600 s, reset SMS per client address (fixed)',
    ])
  })

  it('have names unique in their plugin, and options the plugin declares', () => {
    for (const p of installedPlugins()) {
      const names = (p.rateLimits ?? []).map((l) => l.name)
      expect(new Set(names).size, p.id).toBe(names.length)
      for (const l of p.rateLimits ?? [])
        if (l.option) expect(p.options?.shape, `${p.id} ${l.name}`).toHaveProperty(l.option)
    }
  })

  it('are in /metrics as the options set them (mailfront_rate_limit_max, 0 when off)', async () => {
    // The admin tests' runtime turns AuthSMTP's window off; SMTPD's call limit set here.
    const rt = await runtime({ MAILFRONT_SMTPD_CALLS_PER_MIN: '30' })
    try {
      const text = await (await rt.app.request('/metrics')).text()
      for (const line of [
        'mailfront_rate_limit_max{plugin="authsmtp",limit="api-calls",window_s="0"} 0',
        'mailfront_rate_limit_max{plugin="smtpd",limit="api-calls",window_s="60"} 30',
        'mailfront_rate_limit_max{plugin="smtpd",limit="form-posts-address",window_s="600"} 20',
        'mailfront_rate_limit_max{plugin="mailboxorg",limit="sms-reset-mailbox",window_s="3600"} 5',
      ])
        expect(text).toContain(line)
      const declared = installedPlugins().flatMap((p) => p.rateLimits ?? [])
      expect(text.split('\n').filter((l) => l.startsWith('mailfront_rate_limit_max{'))).toHaveLength(
        declared.length,
      )
    } finally {
      await rt.close()
    }
  })
})
