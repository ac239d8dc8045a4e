import { DEFAULT_LOGIN_LIMITS, optionDocs, parseOptions } from '@mailfront/core'
import { describe, expect, it } from 'vitest'
import { loginLimits, mailboxorgOptions } from './options.ts'

const parse = (values: Record<string, string>) => parseOptions('mailboxorg', mailboxorgOptions, values)

describe('mailbox.org options', () => {
  it('has the defaults it always had', () => {
    const o = parse({})
    expect(o).toMatchObject({
      sessionTtlS: 1200,
      maxBatch: 100,
      sessionCallsPerMin: 1200,
      dnsServers: [],
      spfInclude: 'mailbox.org',
      vacationDays: 7,
    })
    expect(loginLimits(o)).toEqual(DEFAULT_LOGIN_LIMITS)
  })

  it('reads AUTH_ATTEMPTS and AUTH_WINDOW_S when LOGIN_FAILURES and LOGIN_WINDOW_S are at their defaults', () => {
    expect(loginLimits(parse({ authAttempts: '2', authWindowS: '60' }))).toMatchObject({
      perLoginAndAddress: 2,
      windowMs: 60_000,
    })
    expect(
      loginLimits(parse({ authAttempts: '5', loginFailures: '3', authWindowS: '60', loginWindowS: '30' })),
    ).toMatchObject({ perLoginAndAddress: 3, windowMs: 30_000 })
  })

  it('lists DNS servers, takes a blank SPF include as the default, and names a bad value', () => {
    expect(parse({ dnsServers: ' 192.0.2.1, 192.0.2.2:5353 ,[::1]:53 ', spfInclude: ' ' })).toMatchObject({
      dnsServers: ['192.0.2.1', '192.0.2.2:5353', '[::1]:53'],
      spfInclude: 'mailbox.org',
    })
    expect(() => parse({ dnsServers: '192.0.2.1,dns.example' })).toThrow(
      'MAILFRONT_MAILBOXORG_DNS_SERVERS must list IP addresses (ip or ip:port), got "dns.example"',
    )
    expect(() => parse({ maxBatch: '0' })).toThrow(
      'MAILFRONT_MAILBOXORG_MAX_BATCH must be a whole number ≥ 1 (got "0")',
    )
    expect(() => parse({ authWindowS: 'x' })).toThrow(
      'MAILFRONT_MAILBOXORG_AUTH_WINDOW_S must be a whole number',
    )
  })

  it('documents every variable', () => {
    expect(optionDocs('mailboxorg', mailboxorgOptions).map((d) => d.env)).toEqual([
      'MAILFRONT_MAILBOXORG_SESSION_TTL_S',
      'MAILFRONT_MAILBOXORG_MAX_BATCH',
      'MAILFRONT_MAILBOXORG_LOGIN_FAILURES',
      'MAILFRONT_MAILBOXORG_LOGIN_ADDRESS_FAILURES',
      'MAILFRONT_MAILBOXORG_LOGIN_CEILING',
      'MAILFRONT_MAILBOXORG_LOGIN_WINDOW_S',
      'MAILFRONT_MAILBOXORG_AUTH_ATTEMPTS',
      'MAILFRONT_MAILBOXORG_AUTH_WINDOW_S',
      'MAILFRONT_MAILBOXORG_SESSION_CALLS_PER_MIN',
      'MAILFRONT_MAILBOXORG_DNS_SERVERS',
      'MAILFRONT_MAILBOXORG_SPF_INCLUDE',
      'MAILFRONT_MAILBOXORG_VACATION_DAYS',
    ])
  })
})
