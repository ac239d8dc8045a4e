import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import pino from 'pino'
import { loadConfig } from '../apps/server/src/config.ts'
import { createLogger } from '../apps/server/src/log.ts'
import { createRuntime, loadStartupFixtures } from '../apps/server/src/runtime.ts'

const dir = mkdtempSync(join(tmpdir(), 'x-'))
const config = loadConfig({
  MAILFRONT_DATA_DIR: dir,
  MAILFRONT_TLS: 'off',
  MAILFRONT_REQUIRE_HTTPS: 'false',
  MAILFRONT_DEMO: 'on',
  MAILFRONT_MAILBOXORG_SESSION_CALLS_PER_MIN: '0',
  MAILFRONT_AUTHSMTP_RATE_WINDOW_S: '0',
  MAILFRONT_LOG_LEVEL: process.env.LVL ?? 'info',
} as never)
const log = createLogger(config.logLevel, pino.destination({ dest: '/dev/null', sync: false }))
const rt = await createRuntime(config, log)
await loadStartupFixtures(rt)
const bare = new Hono()
bare.get('/', (c) => c.json({ msg: 'pong', ok: true }))
const A = { headers: { Authorization: 'Basic YWRtaW46YWRtaW4=' } }
async function time(name: string, f: () => Promise<unknown> | unknown, n = 20000) {
  for (let i = 0; i < 2000; i++) await f()
  const t0 = performance.now()
  for (let i = 0; i < n; i++) await f()
  console.log(name.padEnd(28), (((performance.now() - t0) * 1000) / n).toFixed(1), 'µs')
}
const ctx = rt.contexts.get('tmail')!
await time('bare hono', async () => (await bare.request('/')).text())
await time('healthz', async () => (await rt.app.request('/healthz')).text())
await time('ping', async () => (await rt.app.request('/ping')).text())
await time('ping with auth header', async () => (await rt.app.request('/ping', A)).text())
await time('tmail user', async () => (await rt.app.request('/users/toorop@tmail.io', A)).text())
await time('findOne user', () =>
  ctx.storage.findOne({ model: 'tmail_user', where: { field: 'login', value: 'toorop@tmail.io' } }),
)
await time('findOne admin', () =>
  ctx.storage.findOne({ model: 'tmail_admin', where: { field: 'name', value: 'rest' } }),
)
const core = await import('@mailfront/core')
await time('parseBasic', () => core.parseBasic('Basic YWRtaW46YWRtaW4='))
const cc = new core.CredentialCache({ secret: 'x' })
await cc.verify('admin', 'admin', '$2a$10$abc', async () => true)
await time('cache.verify hit', () => cc.verify('admin', 'admin', '$2a$10$abc', async () => true))
await time('safeEqual', () => core.safeEqual('abc', 'abd'))
const { goJson } = await import('../packages/plugin-tmail/src/wire.ts')
const u = await ctx.storage.findOne({
  model: 'tmail_user',
  where: { field: 'login', value: 'toorop@tmail.io' },
})
const { userWire } = await import('../packages/plugin-tmail/src/store.ts')
await time('goJson(userWire)', () => goJson(userWire(u as never)))
await rt.close()
