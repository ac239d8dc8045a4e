import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BIN } from './server-process.ts'

const dir = mkdtempSync(join(tmpdir(), 'mailfront-cli-'))
const runWith = (env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, MAILFRONT_DATA_DIR: dir, MAILFRONT_LOG_LEVEL: 'warn', ...env },
  })
const run = (...args: string[]) => runWith({}, ...args)

describe('mailfront CLI', () => {
  it('has --help on every command', () => {
    expect(run('--help').stdout).toMatch(/serve[\s\S]*fixtures[\s\S]*migrate[\s\S]*openapi[\s\S]*authsmtp/)
    expect(run('serve', '--help').stdout).toContain('--database-url <url>')
    expect(run('authsmtp', 'usage', 'record', '--help').stdout).toContain('--bytes <n>')
  })

  it('stops on a bad value with one line naming the variable, exit code 2', () => {
    const r = run('serve', '--port', 'eighty')
    expect(r.status).toBe(2)
    expect(r.stderr.trim().split('\n')).toEqual([
      'mailfront: MAILFRONT_PORT must be a port number (got "eighty")',
    ])
  })

  it("lists every plugin's options in --help, with defaults", () => {
    for (const args of [['--help'], ['serve', '--help']]) {
      const help = run(...args).stdout
      expect(help).toContain('Plugin options')
      expect(help).toMatch(/MAILFRONT_TMAIL_QUEUE_INTERVAL_S +Seconds between runs .*\[default 5\]/)
      expect(help).toMatch(/MAILFRONT_AUTHSMTP_CHALLENGE +.*\[default false\]/)
    }
  })

  it('stops on a bad plugin option with one line naming the variable, exit code 2', () => {
    for (const args of [['serve'], ['migrate']]) {
      const r = runWith({ MAILFRONT_TMAIL_QUEUE_INTERVAL_S: 'soon' }, ...args)
      expect(r.status).toBe(2)
      expect(r.stderr.trim().split('\n')).toEqual([
        'mailfront: MAILFRONT_TMAIL_QUEUE_INTERVAL_S must be a whole number (got "soon")',
      ])
    }
    // A secret's value is never echoed.
    const r = runWith({ MAILFRONT_TMAIL_ADMIN_PASSWORD: '' }, 'serve')
    expect(r.status).toBe(2)
    expect(r.stderr).toBe('mailfront: MAILFRONT_TMAIL_ADMIN_PASSWORD must not be empty\n')
  })

  it('loads fixtures idempotently and names the JSON path of a bad value', () => {
    const good = join(dir, 'good.json')
    writeFileSync(
      good,
      JSON.stringify({
        authsmtp: { accounts: [{ user_id: 'zz1', api_password: 'pw', messages_limit: 5, data_limit: 6 }] },
      }),
    )
    for (let i = 0; i < 2; i++)
      expect(JSON.parse(run('fixtures', 'load', good).stdout)).toEqual({ loaded: { authsmtp: 1 } })
    expect(JSON.parse(run('authsmtp', 'account', 'list').stdout)).toHaveLength(1)
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, '{"authsmtp":{"accounts":[{"user_id":"zz2","messages_limit":"1e9","data_limit":1}]}}')
    const r = run('fixtures', 'load', bad)
    expect(r.status).toBe(2)
    expect(r.stderr).toBe(
      `mailfront: ${bad}: authsmtp.accounts.0.messages_limit: must be a whole number of digits (no sign, decimals or exponent)\n`,
    )
  })

  it('refuses password hashes whose work factor is out of bounds (fixtures and CLI), exit code 2', () => {
    const file = join(dir, 'slow-hash.json')
    const slow = `$6$rounds=999999999$abcdef0123456789$${'a'.repeat(86)}`
    writeFileSync(
      file,
      JSON.stringify({ mailboxorg: { operators: [{ name: 'slow_admin', password: slow, level: 'admin' }] } }),
    )
    const r = run('fixtures', 'load', file)
    expect(r.status).toBe(2)
    expect(r.stderr).toBe(
      `mailfront: ${file}: mailboxorg.operators.0.password: SHA-512 crypt rounds must be 1000..25000, got 999999999\n`,
    )
    const cli = run('tmail', 'admin', 'set', 'ops2', `$2a$31$${'a'.repeat(53)}`)
    expect(cli.status).not.toBe(0)
    expect(cli.stderr).toContain('bcrypt cost must be 4..12, got 31')
    // A user in clear gets its SHA-512 crypt hash from the worker pool, and the command still exits.
    const user = join(dir, 'tmail-user.json')
    writeFileSync(
      user,
      JSON.stringify({ tmail: { users: [{ Login: 'pool@tmail.io', Passwd: 'motdepasse' }] } }),
    )
    const loaded = run('fixtures', 'load', user)
    expect(loaded.status).toBe(0)
    expect(JSON.parse(loaded.stdout)).toEqual({ loaded: { tmail: 1 } })
  })

  it('exports with secrets as stored hashes and 64-bit integers intact', () => {
    const f = join(dir, 'big.json')
    writeFileSync(
      f,
      '{"authsmtp":{"accounts":[{"user_id":"zz3","api_password":"pw","messages_limit":1,"data_limit":5000000000000,"messages_sent":9223372036854775807}]}}',
    )
    expect(run('fixtures', 'load', f).status).toBe(0)
    const out = run('fixtures', 'export').stdout
    expect(out).toContain('"messages_sent": 9223372036854775807')
    expect(out).toMatch(/"api_password": "\$2a\$10\$/)
    expect(out).not.toContain('"pw"')
  })

  it('prints the OpenAPI document', () => {
    expect(JSON.parse(run('openapi', '--plugin', 'authsmtp').stdout).info.title).toBe(
      'AuthSMTP API Access v1.01',
    )
  })

  it('manages the tmail admin credential and queue', () => {
    const set = JSON.parse(run('tmail', 'admin', 'set', 'ops').stdout)
    expect(set.login).toBe('ops')
    expect(set.password).toMatch(/^[A-Za-z0-9_-]{24}$/)
    expect(JSON.parse(run('tmail', 'admin', 'show').stdout)).toEqual({ login: 'ops', source: 'store' })
    expect(run('fixtures', 'export').stdout).not.toContain(set.password)

    const added = JSON.parse(
      run('tmail', 'queue', 'add', '--from', 'a@x.io', '--to', 'b@y.io, c@z.io', '--status', '3').stdout,
    )
    expect(added.map((m: { Host: string }) => m.Host)).toEqual(['y.io', 'z.io'])
    expect(added[0].Uuid).toBe(added[1].Uuid)
    expect(JSON.parse(run('tmail', 'queue', 'list', '--status', '3').stdout)).toHaveLength(2)
    expect(JSON.parse(run('tmail', 'queue', 'process').stdout)).toEqual({
      discarded: 0,
      bounced: 2,
      doubleBounces: 0,
    })
    const bounces = JSON.parse(run('tmail', 'queue', 'list').stdout)
    expect(bounces.map((m: { MailFrom: string; RcptTo: string }) => [m.MailFrom, m.RcptTo])).toEqual([
      ['', 'a@x.io'],
      ['', 'a@x.io'],
    ])
    const bad = run('tmail', 'queue', 'add', '--to', 'nobody')
    expect(bad.status).not.toBe(0)
    expect(bad.stderr).toContain('--to "nobody" is not an e-mail address')
  })

  it('manages mailbox.org logins and accounts with their level', () => {
    const op = JSON.parse(run('mailboxorg', 'operator', 'add', 'Ops', 'reseller').stdout)
    expect(op).toMatchObject({ name: 'ops', level: 'reseller' })
    expect(op.password).toMatch(/^[A-Za-z0-9_-]{24}$/)
    expect(
      JSON.parse(
        run(
          'mailboxorg',
          'account',
          'add',
          'acme_gmbh',
          '--plan',
          'profi',
          '--password',
          'pw123456',
          '--reseller',
          'ops',
        ).stdout,
      ),
    ).toEqual({
      account: 'acme_gmbh',
      level: 'account',
      plan: 'profi',
      password: 'set',
    })
    expect(JSON.parse(run('mailboxorg', 'account', 'list').stdout)).toContainEqual({
      account: 'acme_gmbh',
      level: 'account',
      plan: 'profi',
      reseller: 'ops',
      status: 'aktiv',
    })
    const bad = run('mailboxorg', 'operator', 'add', 'x', 'superuser')
    expect(bad.status).not.toBe(0)
    expect(bad.stderr).toContain('level must be admin or reseller')
  })

  it('adds mailbox.org invoices and registration tokens, and reads the SMS outbox', () => {
    run('mailboxorg', 'account', 'add', 'billed_gmbh', '--password', 'pw123456')
    const domains = join(dir, 'mbo-domains.json')
    writeFileSync(
      domains,
      JSON.stringify({ mailboxorg: { domains: [{ domain: 'billed.test', account: 'billed_gmbh' }] } }),
    )
    expect(run('fixtures', 'load', domains).status).toBe(0)
    const pdf = join(dir, 'invoice.pdf')
    writeFileSync(pdf, '%PDF-1.4\n%%EOF\n')
    const added = JSON.parse(
      run(
        'mailboxorg',
        'invoice',
        'add',
        'billed_gmbh',
        '--amount',
        '11.90',
        '--date',
        '2026-03-31',
        '--pdf',
        pdf,
      ).stdout,
    )
    expect(added).toEqual({
      invoice_id: expect.stringMatching(/^BMBO-\d{5}-26$/),
      account: 'billed_gmbh',
      token: expect.any(String),
    })
    expect(JSON.parse(run('mailboxorg', 'invoice', 'list', 'billed_gmbh').stdout)).toEqual([
      {
        invoice_id: added.invoice_id,
        account: 'billed_gmbh',
        date: '2026-03-31',
        amount: 11.9,
        status: 'open',
        token: added.token,
      },
    ])
    const again = run(
      'mailboxorg',
      'invoice',
      'add',
      'billed_gmbh',
      '--amount',
      '1',
      '--id',
      added.invoice_id,
    )
    expect(again.stderr).toContain(`invoice "${added.invoice_id}" already exists`)
    expect(run('mailboxorg', 'invoice', 'add', 'billed_gmbh', '--amount', '12,50').stderr).toContain(
      '--amount must be a sum in euros like 12.50, got "12,50"',
    )
    expect(run('mailboxorg', 'invoice', 'add', 'nobody_here', '--amount', '1').stderr).toContain(
      'no account "nobody_here"',
    )
    expect(
      run('mailboxorg', 'invoice', 'add', 'billed_gmbh', '--amount', '1', '--pdf', domains).stderr,
    ).toContain('is not a PDF file')
    const token = JSON.parse(
      run('mailboxorg', 'register-token', 'add', 'billed.test', '--plan', 'light', '--expires-days', '7')
        .stdout,
    )
    expect(token).toMatchObject({
      domain: 'billed.test',
      plan: 'light',
      token: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
    })
    expect(run('mailboxorg', 'register-token', 'add', 'nowhere.test').stderr).toContain(
      'no domain "nowhere.test"',
    )
    expect(JSON.parse(run('mailboxorg', 'sms', 'list').stdout)).toEqual([])
    expect(run('mailboxorg', 'invoice', 'add', '--help').stdout).toContain('--pdf <file>')
  }, 180_000) // fourteen CLI processes, on a shared machine

  it('manages SMTPD accounts, users and API keys, and verifies an account', () => {
    const made = JSON.parse(
      run('smtpd', 'account', 'create', 'Acme', 'owner@acme.test', '--first-name', 'Ow').stdout,
    )
    expect(made).toMatchObject({ account_name: 'Acme', is_verified: false, owner: 'owner@acme.test' })
    expect(made.password).toMatch(/^[A-Za-z0-9_-]{24}$/)
    expect(JSON.parse(run('smtpd', 'account', 'verify', 'Acme').stdout).is_verified).toBe(true)
    expect(
      JSON.parse(
        run(
          'smtpd',
          'user',
          'add',
          'Acme',
          'ro@acme.test',
          '--role',
          'read_only',
          '--password',
          'pw-pw-pw-pw',
        ).stdout,
      ),
    ).toMatchObject({
      email_address: 'ro@acme.test',
      role: 'read_only',
      password: 'set',
    })
    const key = JSON.parse(
      run('smtpd', 'key', 'create', 'Acme', '--role', 'send_only', '--name', 'mailer').stdout,
    )
    expect(Object.keys(key)).toEqual(['ID', 'Name', 'Key', 'Secret', 'role'])
    const list = run('smtpd', 'key', 'list', 'Acme').stdout
    expect(list).toContain(key.Key)
    expect(list).not.toContain(key.Secret)
    expect(run('fixtures', 'export').stdout).not.toContain(key.Secret)
    const bad = run('smtpd', 'key', 'create', 'Acme', '--role', 'owner')
    expect(bad.status).not.toBe(0)
    expect(bad.stderr).toContain('--role must be one of iac, standard, read_only, send_only')
  })
  it('lists SMTPD profiles and sends, and marks a profile active', () => {
    const file = join(dir, 'smtpd-sending.json')
    writeFileSync(
      file,
      JSON.stringify({
        smtpd: {
          accounts: [
            {
              account_name: 'Sendco',
              is_verified: true,
              users: [{ email_address: 'owner@sendco.test', password: 'pw-pw-pw-pw', role: 'owner' }],
              profiles: [
                {
                  profile_name: 'main',
                  sending_domain: 'sendco.test',
                  link_domain: 'l.sendco.test',
                  bounce_domain: 'b.sendco.test',
                  state: 'pending',
                },
              ],
              sends: [
                {
                  send_key: 'k1',
                  profile_name: 'main',
                  from_email_address: 'a@sendco.test',
                  recipient_email_address: 'ann@example.org',
                  subject: 'Hi',
                  state: 'delivered',
                  created_at: '2026-06-01T10:00:00Z',
                },
              ],
            },
          ],
        },
      }),
    )
    expect(run('fixtures', 'load', file).status).toBe(0)
    expect(JSON.parse(run('smtpd', 'profile', 'list', 'Sendco').stdout)).toMatchObject([
      { profile_name: 'main', state: 'pending' },
    ])
    expect(JSON.parse(run('smtpd', 'profile', 'activate', 'Sendco', 'main').stdout)).toMatchObject({
      profile_name: 'main',
      state: 'active',
    })
    const sends = JSON.parse(run('smtpd', 'send', 'list', 'Sendco', '--recipient', 'ANN').stdout)
    expect(sends).toMatchObject([
      { send_key: 'k1', recipient_email_address: 'ann@example.org', state: 'delivered' },
    ])
    expect(JSON.parse(run('smtpd', 'send', 'list', 'Sendco', '--recipient', 'zed').stdout)).toEqual([])
    expect(run('smtpd', 'send', 'list', 'Sendco', '--limit', '0').stderr).toContain(
      '--limit must be a whole number from 1 to 1000, got "0"',
    )
    expect(run('smtpd', 'profile', 'activate', 'Sendco', 'nope').stderr).toContain(
      'no sending profile "nope" in that account',
    )
    expect(run('smtpd', 'send', 'list', '--help').stdout).toContain('--recipient <text>')
    // Eight CLI processes: each starts node and opens the store.
  }, 120_000)
})
