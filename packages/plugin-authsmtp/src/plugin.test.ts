import { encodeBasic, parseXml } from '@mailfront/core'
import { createTestContext, envOptions, mountPluginForTest, type TestContext } from '@mailfront/core/testing'
import { beforeEach, describe, expect, it } from 'vitest'
import { upsertAccount } from './fixtures.ts'
import { authsmtpPlugin } from './index.ts'
import { recordUsage } from './store.ts'
import { londonToEpoch } from './time.ts'

const AA12345 = {
  user_id: 'aa12345',
  api_password: 'demo-api-password',
  api_enabled: true,
  created_at: londonToEpoch(2025, 1, 28),
  messages_limit: 1000n,
  data_limit: 209715200n,
  messages_sent: 120n,
  data_sent: 3145728n,
  max_message_size: 10485760n,
  from_addresses_limit: 10n,
  from_addresses: ['sales@example.com', 'info@example.com'],
  ip_addresses: ['192.0.2.10', '192.0.2.11'],
}
const AA99999 = {
  ...AA12345,
  user_id: 'aa99999',
  api_password: 'demo-api-password-2',
  messages_limit: 10000000000n,
  data_limit: 5000000000000n,
  messages_sent: 4294967296n,
  data_sent: 4398046511104n,
  from_addresses: [],
  ip_addresses: [],
  next_reset: londonToEpoch(2026, 5, 1),
}

const EXPECTED = `<?xml version="1.0" encoding="UTF-8"?>
<result>
  <basic_user>
    <version>1.01</version>
    <user_id>aa12345</user_id>
    <current_datetime>2026-06-10 18:40:30 +0100</current_datetime>
    <next_reset>2026-06-28 00:00:00</next_reset>
    <messages_limit>1000</messages_limit>
    <data_limit>209715200</data_limit>
    <messages_sent>120</messages_sent>
    <data_sent>3145728</data_sent>
    <messages_remaining>880</messages_remaining>
    <data_remaining>206569472</data_remaining>
    <max_message_size>10485760</max_message_size>
    <from_addresses_limit>10</from_addresses_limit>
    <from_addresses_used>2</from_addresses_used>
  </basic_user>
</result>
`

let ctx: TestContext
let app: Awaited<ReturnType<typeof mountPluginForTest>>['app']
const auth = (u = 'aa12345', p = 'demo-api-password') => ({ headers: { Authorization: encodeBasic(u, p) } })

async function setup(options: Record<string, string> = {}) {
  ctx = createTestContext({ options: envOptions(authsmtpPlugin(), options) })
  ;({ app } = await mountPluginForTest(authsmtpPlugin(), ctx))
  await upsertAccount(ctx, AA12345 as never)
  await upsertAccount(ctx, AA99999 as never)
}

describe('basic_user', () => {
  beforeEach(() => setup())

  it('answers the exact bytes for a fixed clock', async () => {
    const res = await app.request('/restful/basic_user/aa12345', auth())
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/xml; charset=UTF-8')
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(await res.text()).toBe(EXPECTED)
  })

  it('parses back with fast-xml-parser the way the XML client does', async () => {
    const doc = parseXml(await (await app.request('/restful/basic_user/aa12345', auth())).text()) as any
    expect(Object.keys(doc)).toEqual(['result'])
    expect(BigInt(doc.result.basic_user.messages_limit)).toBe(1000n)
    expect(BigInt(doc.result.basic_user.data_sent)).toBe(3145728n)
  })

  it('reads by line index as the line-based monitoring client does (lines 7-10, 14, 15)', async () => {
    const lines = (await (await app.request('/restful/basic_user/aa12345', auth())).text()).split('\n')
    const at = (i: number) =>
      BigInt(lines[i]!.slice(lines[i]!.indexOf('>') + 1, lines[i]!.indexOf('<', lines[i]!.indexOf('>'))))
    expect([at(7), at(8), at(9), at(10), at(14), at(15)]).toEqual([
      1000n,
      209715200n,
      120n,
      3145728n,
      10n,
      2n,
    ])
  })

  it('keeps quantities beyond 32 bits exact', async () => {
    const text = await (
      await app.request('/restful/basic_user/aa99999', auth('aa99999', 'demo-api-password-2'))
    ).text()
    expect(text).toContain('<data_limit>5000000000000</data_limit>')
    expect(text).toContain('<messages_sent>4294967296</messages_sent>')
    expect(text).toContain('<messages_remaining>5705032704</messages_remaining>')
    expect(text).toContain('<next_reset>2026-05-01 00:00:00</next_reset>')
  })

  it('shows +0000 in winter', async () => {
    ctx.clock.set(Date.UTC(2026, 0, 15, 9, 0, 0))
    expect(await (await app.request('/restful/basic_user/aa12345', auth())).text()).toContain(
      '<current_datetime>2026-01-15 09:00:00 +0000</current_datetime>',
    )
  })

  it('tolerates a trailing slash and compares user ids case-insensitively', async () => {
    expect((await app.request('/restful/basic_user/aa12345/', auth())).status).toBe(200)
    ctx.clock.advance(20_000)
    expect((await app.request('/restful/basic_user/AA12345', auth('Aa12345'))).status).toBe(200)
  })

  it('answers HEAD like GET, without a body', async () => {
    const res = await app.request('/restful/basic_user/aa12345', { ...auth(), method: 'HEAD' })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('')
  })
})

describe('401s, without a challenge by default', () => {
  beforeEach(() => setup())
  it.each([
    ['a wrong password', auth('aa12345', 'nope')],
    ['an unknown user', { headers: { Authorization: encodeBasic('zz00000', 'x') } }],
    ['a user id that is not the URL one', auth('aa99999', 'demo-api-password-2')],
    ['no Authorization header', {}],
    ['a malformed Authorization header', { headers: { Authorization: 'Basic %%%' } }],
    ['a Bearer header', { headers: { Authorization: 'Bearer abc' } }],
  ])('%s', async (_n, init) => {
    const res = await app.request('/restful/basic_user/aa12345', init)
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBeNull()
    expect(await res.text()).toBe('Not Authorized')
    expect(ctx.counters.authFailures).toBe(1)
  })
  it('disabled API access', async () => {
    await upsertAccount(ctx, { ...AA12345, api_enabled: false } as never)
    expect((await app.request('/restful/basic_user/aa12345', auth())).status).toBe(401)
  })
  it('the switch adds WWW-Authenticate', async () => {
    await setup({ challenge: 'true' })
    const res = await app.request('/restful/basic_user/aa12345')
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="AuthSMTP API"')
  })
})

describe('options', () => {
  it('refuses a bad value in one line naming the variable', async () => {
    await expect(setup({ challenge: 'maybe' })).rejects.toThrow(
      'MAILFRONT_AUTHSMTP_CHALLENGE must be true or false (got "maybe")',
    )
    await expect(setup({ rate_window_s: '1m' })).rejects.toThrow(
      'MAILFRONT_AUTHSMTP_RATE_WINDOW_S must be a whole number (got "1m")',
    )
  })
})

describe('404s', () => {
  beforeEach(() => setup())
  it.each([
    ['GET', '/restful/unknown/aa12345'],
    ['GET', '/restful/basic_user'],
    ['POST', '/restful/basic_user/aa12345'],
    ['DELETE', '/restful/ip_allocation/aa12345'],
  ])('%s %s → 404 without auth', async (method, path) => {
    const res = await app.request(path, { method })
    expect(res.status).toBe(404)
    expect(res.headers.get('www-authenticate')).toBeNull()
  })
})

describe('rate limit: 1 served request per 20 s per user', () => {
  beforeEach(() => setup())
  it('is the one the plugin declares (what --help and the README list)', () => {
    const [limit, ...rest] = authsmtpPlugin().rateLimits!
    expect(rest).toEqual([])
    expect([limit!.name, limit!.option, limit!.window(ctx.options as never)]).toEqual([
      'api-calls',
      'rateWindowS',
      { windowMs: 20_000, max: 1 },
    ])
    expect(limit!.window({ ...ctx.options, rateWindowS: 0 } as never)).toBeNull()
  })
  it('answers 200 + the XML error object, with Retry-After, and a rejection does not restart the window', async () => {
    expect((await app.request('/restful/basic_user/aa12345', auth())).status).toBe(200)
    ctx.clock.advance(5_000)
    const limited = await app.request('/restful/ip_allocation/aa12345', auth())
    expect(limited.status).toBe(200)
    expect(limited.headers.get('retry-after')).toBe('15')
    expect(await limited.text()).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<result>\n  <error>\n    <version>1.00</version>\n    <code>1</code>\n    <message>Rate limit exceeded: no more than 1 API request every 20 seconds</message>\n  </error>\n</result>\n',
    )
    // Another user is not affected.
    expect(
      await (await app.request('/restful/basic_user/aa99999', auth('aa99999', 'demo-api-password-2'))).text(),
    ).toContain('<basic_user>')
    ctx.clock.advance(14_999)
    expect(await (await app.request('/restful/basic_user/aa12345', auth())).text()).toContain(
      '<code>1</code>',
    )
    ctx.clock.advance(1)
    expect(await (await app.request('/restful/basic_user/aa12345', auth())).text()).toContain('<basic_user>')
    expect(ctx.counters.rateLimited).toBe(2)
  })
  it('counts only authenticated requests', async () => {
    await app.request('/restful/basic_user/aa12345', auth('aa12345', 'wrong'))
    expect(await (await app.request('/restful/basic_user/aa12345', auth())).text()).toContain('<basic_user>')
  })
  it('0 turns the limit off', async () => {
    await setup({ rate_window_s: '0' })
    for (let i = 0; i < 3; i++)
      expect(await (await app.request('/restful/basic_user/aa12345', auth())).text()).toContain(
        '<basic_user>',
      )
  })
})

describe('ip_allocation', () => {
  beforeEach(() => setup({ rate_window_s: '0' }))
  it('lists the dedicated addresses', async () => {
    expect(await (await app.request('/restful/ip_allocation/aa12345', auth())).text()).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<result>\n  <ip_allocation>\n    <version>1.00</version>\n    <user_id>aa12345</user_id>\n    <ip_address>192.0.2.10</ip_address>\n    <ip_address>192.0.2.11</ip_address>\n  </ip_allocation>\n</result>\n',
    )
  })
  it('answers the error object when there are none', async () => {
    const res = await app.request('/restful/ip_allocation/aa99999', auth('aa99999', 'demo-api-password-2'))
    expect(res.status).toBe(200)
    expect(await res.text()).toContain(
      '<code>2</code>\n    <message>No IP addresses are allocated to this account</message>',
    )
  })
})

describe('usage and the reset rule', () => {
  beforeEach(() => setup())
  it('resets counters and moves next_reset forward when it lies in the past', async () => {
    const a = await recordUsage(ctx, 'aa99999', 3n, 1000n)
    expect(a.messages_sent).toBe(3n)
    expect(a.data_sent).toBe(1000n)
    expect(a.next_reset).toBe(londonToEpoch(2026, 6, 28))
    const b = await recordUsage(ctx, 'aa12345', 1n, 4294967296n)
    expect(b.messages_sent).toBe(121n)
    expect(b.data_sent).toBe(3145728n + 4294967296n)
  })
})

describe('500s', () => {
  it('never carry a stack trace', async () => {
    await setup()
    ctx.storage.findOne = async () => {
      throw new Error('database exploded at /secret/path')
    }
    const res = await app.request('/restful/basic_user/aa12345', auth())
    expect(res.status).toBe(500)
    expect(await res.text()).toBe('Internal Error')
  })
})
