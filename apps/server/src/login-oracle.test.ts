import { encodeBasic, silentLogger } from '@mailfront/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from './config.ts'
import { createRuntime, loadStartupFixtures, type Runtime } from './runtime.ts'

// Every login path of every plugin: a failed login answers the same status and body, and pays the
// same number of slow hashes (exactly one), whether the name exists or not. Counting hashes through
// the slowHash metric instead of timing keeps the test exact on a busy machine.

let rt: Runtime
beforeAll(async () => {
  rt = await createRuntime(
    loadConfig({
      MAILFRONT_DATABASE_URL: 'memory:',
      MAILFRONT_SECRET: 'x'.repeat(40),
      MAILFRONT_DEMO: 'on',
      MAILFRONT_AUTHSMTP_RATE_WINDOW_S: '0',
    }),
    silentLogger,
  )
  await loadStartupFixtures(rt)
})
afterAll(() => rt.close())

async function slowHashes(plugin: string): Promise<number> {
  const text = await (await rt.app.request('/metrics')).text()
  const m = text.match(new RegExp(`^mailfront_slow_hashes_total\\{plugin="${plugin}"\\} (\\d+)$`, 'm'))
  return m ? Number(m[1]) : 0
}

type Attempt = { name: string; init: () => [string, RequestInit] }

async function attempt(plugin: string, a: Attempt) {
  const before = await slowHashes(plugin)
  const [path, init] = a.init()
  const res = await rt.app.request(path, init)
  const body = await res.text()
  return { name: a.name, status: res.status, body, hashes: (await slowHashes(plugin)) - before }
}

const basic =
  (path: string, user: string, pass: string, method = 'GET') =>
  (): [string, RequestInit] => [path, { method, headers: { Authorization: encodeBasic(user, pass) } }]
const rpcAuth = (user: string, pass: string) => (): [string, RequestInit] => [
  '/v1/',
  {
    method: 'POST',
    body: JSON.stringify({ jsonrpc: '2.0', method: 'auth', params: { user, pass }, id: 1 }),
  },
]

const CASES: Record<string, Attempt[]> = {
  authsmtp: [
    { name: 'known user, wrong password', init: basic('/restful/basic_user/aa12345', 'aa12345', 'wrong') },
    { name: 'unknown user', init: basic('/restful/basic_user/zz00000', 'zz00000', 'wrong') },
    { name: 'another user id in the URL', init: basic('/restful/basic_user/aa99999', 'aa12345', 'wrong') },
    { name: 'known user, ip_allocation', init: basic('/restful/ip_allocation/aa12345', 'aa12345', 'x') },
  ],
  smtpd: [
    {
      name: 'known e-mail, wrong password',
      init: basic('/oauth/token?grant_type=password', 'jack.truong@example.com', 'wrong', 'POST'),
    },
    {
      name: 'unknown e-mail',
      init: basic('/oauth/token?grant_type=password', 'nobody@example.com', 'wrong', 'POST'),
    },
    {
      name: 'known API key, wrong secret',
      init: basic('/oauth/token?grant_type=password', 'demo-key', 'wrong', 'POST'),
    },
    {
      name: 'unknown API key',
      init: basic('/oauth/token?grant_type=password', 'no-such-key', 'wrong', 'POST'),
    },
  ],
  tmail: [
    { name: 'known admin login, wrong password', init: basic('/users', 'admin', 'wrong') },
    { name: 'unknown login', init: basic('/users', 'nobody', 'wrong') },
    { name: 'a user login', init: basic('/users', 'toorop@tmail.io', 'motdepasse') },
  ],
  mailboxorg: [
    { name: 'account, wrong password', init: rpcAuth('test_account', 'wrong') },
    { name: 'reseller, wrong password', init: rpcAuth('demo_reseller', 'wrong') },
    { name: 'admin, wrong password', init: rpcAuth('demo_admin', 'wrong') },
    { name: 'domain without a password', init: rpcAuth('domain1.test', 'wrong') },
    { name: 'mailbox without a password', init: rpcAuth('user1@domain1.test', 'wrong') },
    { name: 'unknown name', init: rpcAuth('nobody', 'wrong') },
  ],
}

describe('failed logins do not tell which names exist', () => {
  it.each(Object.keys(CASES))('%s: same status, same body, one slow hash each', async (plugin) => {
    const results = []
    for (const a of CASES[plugin]!) results.push(await attempt(plugin, a))
    for (const r of results) {
      expect({ name: r.name, status: r.status, body: r.body, hashes: r.hashes }).toEqual({
        name: r.name,
        status: results[0]!.status,
        body: results[0]!.body,
        hashes: 1,
      })
    }
    // A refusal: an HTTP error, or a JSON-RPC error object.
    expect(results[0]!.status !== 200 || results[0]!.body.includes('"error"')).toBe(true)
  })
})
