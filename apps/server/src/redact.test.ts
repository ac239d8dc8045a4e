import { encodeBasic } from '@mailfront/core'
import { describe, expect, it } from 'vitest'
import { runtime } from '../test/demo-runtime.ts'
import { configuredSecrets, Redactor } from './redact.ts'

// Issue 24, item 8: the request log redacts by a broad rule, and the values the plugins mark secret.
// Each provider's real secret fields, as its documents (the seeds, the specs) name them.
const PROVIDER_SECRETS: Record<string, string[]> = {
  authsmtp: ['password', 'api_password', 'smtp_password', 'authorization'],
  smtpd: [
    'client_secret',
    'api_key',
    'apikey',
    'key',
    'secret',
    'password',
    'refresh_token',
    'access_token',
    'token',
    'authorization',
    'x-api-key',
  ],
  tmail: ['passwd', 'Passwd', 'DovePasswd', 'dove_passwd', 'authorization'],
  mailboxorg: [
    'pass',
    'password',
    'password_hash',
    'new_password',
    'session',
    'token',
    'auth_id',
    'HPLS-AUTH',
    'app_password',
  ],
  generic: [
    'auth',
    'Signature',
    'X-Hub-Signature',
    'credential',
    'credentials',
    'sessionid',
    'cookie',
    'set-cookie',
  ],
}
const VALUE = 'S3cr3t-value-42'
const r = new Redactor()

describe('request-log redaction, by name', () => {
  for (const [provider, names] of Object.entries(PROVIDER_SECRETS))
    it(`${provider}: every secret field, in a query, a form, JSON, XML and a header`, () => {
      for (const name of names) {
        const q = r.text(`a=1&${encodeURIComponent(name)}=${VALUE}&b=2`)
        expect(q, `query ${name}`).toBe(`a=1&${encodeURIComponent(name)}=[redacted]&b=2`)
        const json = r.text(JSON.stringify({ user: 'u', [name]: VALUE, n: 1, nested: { [name]: 7 } }))
        expect(json, `json ${name}`).not.toContain(VALUE)
        expect(JSON.parse(json), `json ${name}`).toEqual({
          user: 'u',
          [name]: '[redacted]',
          n: 1,
          nested: { [name]: '[redacted]' },
        })
        if (/^[A-Za-z_]/.test(name))
          expect(r.text(`<r><${name}>${VALUE}</${name}><id>1</id></r>`)).toBe(
            `<r><${name}>[redacted]</${name}><id>1</id></r>`,
          )
        expect(r.headers({ [name]: VALUE, 'content-type': 'x' }), `header ${name}`).toEqual({
          [name]: '[redacted]',
          'content-type': 'x',
        })
      }
    })

  it('JSON-RPC envelopes and cut-short bodies', () => {
    const rpc = '{"jsonrpc":"2.0","method":"auth","params":{"user":"test_account","pass":"123456"},"id":"1"}'
    expect(r.text(rpc)).toBe(
      '{"jsonrpc":"2.0","method":"auth","params":{"user":"test_account","pass":"[redacted]"},"id":"1"}',
    )
    expect(r.text('{"user":"x","password":"unterminat')).toBe('{"user":"x","password":"[redacted]"')
    expect(r.text('grant_type=password&username=jack&password=demo-password')).toBe(
      'grant_type=password&username=jack&password=[redacted]',
    )
    // Names that are not secrets keep their values.
    expect(r.text('{"subject":"passing","method":"auth"}')).toBe('{"subject":"passing","method":"auth"}')
  })
})

describe('request-log redaction, JSON walked', () => {
  it('JSON-RPC positional params: every string redacted, the method name kept', () => {
    expect(r.text('{"jsonrpc":"2.0","method":"auth","params":["u","pw-VALUE"],"id":1}')).toBe(
      '{"jsonrpc":"2.0","method":"auth","params":["[redacted]","[redacted]"],"id":1}',
    )
    // A batch, nested values, spacing kept byte for byte.
    expect(r.text('[ {"method": "auth", "params": [ "u", {"x": ["pw"]}, 3 ] } ]')).toBe(
      '[ {"method": "auth", "params": [ "[redacted]", {"x": ["[redacted]"]}, 3 ] } ]',
    )
  })

  it('arrays and objects under a secret name, at any depth', () => {
    const body = {
      api_keys: ['k1-VALUE', 'k2-VALUE'],
      user: 'u',
      deep: { credentials: { id: 7, pw: ['x', { a: 'y' }] } },
    }
    expect(JSON.parse(r.text(JSON.stringify(body)))).toEqual({
      api_keys: ['[redacted]', '[redacted]'],
      user: 'u',
      deep: { credentials: { id: '[redacted]', pw: ['[redacted]', { a: '[redacted]' }] } },
    })
    // Escaped key names are read as JSON reads them.
    expect(r.text('{"pass\\u0077ord":"v"}')).toBe('{"pass\\u0077ord":"[redacted]"}')
  })

  it('a body cut at the log limit: still walked, positional params included', () => {
    expect(r.text('{"method":"auth","params":["u","pw-VAL')).toBe(
      '{"method":"auth","params":["[redacted]","[redacted]"',
    )
    expect(r.text('{"api_keys":["k1","k2')).toBe('{"api_keys":["[redacted]","[redacted]"')
    expect(r.text('{"params":["u","p\\')).toBe('{"params":["[redacted]","[redacted]"')
  })

  it('not walkable JSON: the name rule, plus every string of a params array', () => {
    expect(r.text('{"method":"auth","params":["u","pw"]} trailing')).toBe(
      '{"method":"auth","params":["[redacted]","[redacted]"]} trailing',
    )
    expect(r.text('{"method":"auth","params":["u","pw"], "password": "x" }}')).toBe(
      '{"method":"auth","params":["[redacted]","[redacted]"], "password": "[redacted]" }}',
    )
  })
})

describe('request-log redaction, positional JSON-RPC params through the server', () => {
  it('mailbox.org auth with positional params: logged with the method, never the password', async () => {
    const rt = await runtime({ MAILFRONT_PLUGINS: 'mailboxorg' })
    try {
      const body = '{"jsonrpc":"2.0","method":"auth","params":["test_account","pos-VALUE-pass"],"id":"1"}'
      const res = await rt.app.request('/v1/', { method: 'POST', body })
      expect(res.status).toBe(200)
      const text = await (await rt.app.request('/_mailfront/requests')).text()
      expect(text).not.toContain('pos-VALUE-pass')
      const { requests } = JSON.parse(text) as { requests: { request: { body: { text: string } } }[] }
      expect(requests[0]!.request.body.text).toBe(
        '{"jsonrpc":"2.0","method":"auth","params":["[redacted]","[redacted]"],"id":"1"}',
      )
    } finally {
      await rt.close()
    }
  })
})

describe('request-log redaction, by value', () => {
  it("replaces the plugins' secret option values wherever they appear, however encoded", () => {
    const v = new Redactor(['tmail-admin-pass"word&x'])
    expect(v.text('{"note":"tmail-admin-pass\\"word&x"}')).toBe('{"note":"[redacted]"}')
    expect(v.text('q=tmail-admin-pass%22word%26x')).toBe('q=[redacted]')
    expect(v.headers({ 'x-note': 'Basic tmail-admin-pass"word&x' })).toEqual({ 'x-note': 'Basic [redacted]' })
    expect(new Redactor(['short']).text('a short note')).toBe('a short note')
    expect(
      configuredSecrets({
        pluginOptions: { tmail: { adminLogin: 'admin', adminPassword: 'hunter22' }, x: { rateWindowS: 5 } },
        adminToken: 'tok-0123456789abcdef',
      }),
    ).toEqual(['hunter22', 'tok-0123456789abcdef'])
    // The webhook's secret too: a request that carries it (a test echoing it) shows it redacted.
    expect(
      configuredSecrets({
        pluginOptions: {},
        webhook: { secret: 'hook-secret-0123456' },
      }),
    ).toEqual(['hook-secret-0123456'])
  })

  it("through the server: the issue's query names and a secret option value, never in GET /_mailfront/requests", async () => {
    const rt = await runtime({
      MAILFRONT_PLUGINS: 'smtpd,tmail',
      MAILFRONT_TMAIL_ADMIN_LOGIN: 'boss',
      MAILFRONT_TMAIL_ADMIN_PASSWORD: 'tmail-admin-secret-value',
    })
    try {
      const q = 'client_secret=cs-VALUE&api_key=ak-VALUE&apikey=ak2-VALUE&key=k-VALUE&auth=a-VALUE&user=jack'
      await rt.app.request(`/oauth/token?grant_type=password&${q}`, { method: 'POST' })
      await rt.app.request('/users/x@y.z', {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Api-Key': 'hdr-VALUE',
          Authorization: encodeBasic('boss', 'tmail-admin-secret-value'),
        },
        body: JSON.stringify({ passwd: 'pw-VALUE-long', comment: 'tmail-admin-secret-value' }),
      })
      const res = await rt.app.request('/_mailfront/requests')
      const text = await res.text()
      expect(text).not.toMatch(/-VALUE|tmail-admin-secret-value/)
      const { requests } = JSON.parse(text) as {
        requests: { query: string; request: { body: { text: string } } }[]
      }
      const [users, token] = requests
      expect(token!.query).toBe(
        'grant_type=password&client_secret=[redacted]&api_key=[redacted]&apikey=[redacted]&key=[redacted]&auth=[redacted]&user=jack',
      )
      expect(JSON.parse(users!.request.body.text)).toEqual({ passwd: '[redacted]', comment: '[redacted]' })
    } finally {
      await rt.close()
    }
  })
})
