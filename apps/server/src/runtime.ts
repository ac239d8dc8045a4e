import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  type Clock,
  type Logger,
  type MailfrontPlugin,
  type ModelSchema,
  type RateLimitStore,
  rateLimitModels,
  redisRateLimitStore,
  type StorageAdapter,
  storageRateLimitStore,
  systemClock,
} from '@mailfront/core'
import { createMailPipeline, type MailPipeline, mailModels } from '@mailfront/mail'
import { openStorage } from '@mailfront/storage-sql'
import { messageRoutes } from './admin/messages.ts'
import { createMailfront, type Mailfront } from './app.ts'
import type { Config } from './config.ts'
import { isLoopback } from './config.ts'
import { loadFixtures, readFixtures } from './fixtures.ts'
import { startDelivery } from './mail.ts'
import { createMetrics, type Metrics } from './metrics.ts'
import { AVAILABLE_PLUGINS } from './plugins.ts'

export const DEMO_FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/demo.json')

const META = 'core_meta'
export const coreModels: ModelSchema = {
  ...rateLimitModels,
  [META]: { fields: { key: { type: 'string', unique: true }, value: { type: 'string' } } },
}

export interface Runtime extends Mailfront {
  config: Config
  plugins: MailfrontPlugin[]
  storage: StorageAdapter
  rateLimits: RateLimitStore
  log: Logger
  /** The mail pipeline (submit, queue, events); its delivery worker runs in startBackground. */
  mail: MailPipeline
  metrics: Metrics
  /** The store had never been initialised before this start. */
  newStore: boolean
  /** Start the plugins' background work (serve only). */
  startBackground(): void
  close(): Promise<void>
}

async function loadSecret(config: Config): Promise<string> {
  if (config.secret) return config.secret
  const file = join(config.dataDir, 'secret')
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim()
  await mkdir(config.dataDir, { recursive: true })
  const secret = randomBytes(32).toString('base64url')
  await writeFile(file, `${secret}\n`, { mode: 0o600 })
  await chmod(file, 0o600)
  return secret
}

/** Open the store, migrate, compose the plugins and run their init. Used by serve and by the CLI. */
export async function createRuntime(
  config: Config,
  log: Logger,
  opts: { clock?: Clock } = {},
): Promise<Runtime> {
  await mkdir(config.dataDir, { recursive: true })
  const plugins = config.plugins.map((id) => AVAILABLE_PLUGINS[id]!())
  const storage = await openStorage(config.databaseUrl, {
    // The pool drops the dead connection and opens a new one on the next query: one line, no crash.
    onConnectionError: (err) => log.warn({ reason: err.message }, 'database connection lost'),
  })
  try {
    const models: ModelSchema = { ...coreModels, ...mailModels }
    for (const p of plugins) Object.assign(models, p.models)
    await storage.migrate(models)
    let newStore = false
    if (!(await storage.findOne({ model: META, where: { field: 'key', value: 'initialized_at' } }))) {
      newStore = true
      await storage
        .create({ model: META, data: { key: 'initialized_at', value: new Date().toISOString() } })
        .catch(() => {
          newStore = false // another instance initialised it first
        })
    }
    const rateLimits = config.redisUrl
      ? redisRateLimitStore(config.redisUrl)
      : storageRateLimitStore(storage, { clock: opts.clock })
    const clock = opts.clock ?? systemClock
    const metrics = createMetrics()
    const mail = createMailPipeline({
      storage,
      clock,
      log: log.child ? log.child({ component: 'mail' }) : log,
      hostname: hostname(),
    })
    mail.onEvent((e) => metrics.mail.inc({ plugin: e.plugin, event: e.type }))
    const mf = createMailfront({
      plugins,
      storage,
      rateLimits,
      clock,
      log,
      metrics,
      mail,
      adminRoutes: [messageRoutes(mail)],
      secret: await loadSecret(config),
      requireHttps: config.requireHttps,
      trustProxy: config.trustProxy,
      bodyLimit: config.bodyLimit,
      adminToken: config.adminToken,
      pluginOptions: config.pluginOptions,
      prefixes: config.prefixes,
      hostnames: config.hostnames,
    })
    for (const p of plugins) await p.init?.(mf.contexts.get(p.id)!)
    // Addresses the plugins host (their mailboxes): checked at submit, delivered locally.
    for (const p of plugins)
      if (p.localDelivery) mail.local.add(p.id, p.localDelivery(mf.contexts.get(p.id)!))
    const stops: (() => Promise<void>)[] = []
    return {
      ...mf,
      config,
      plugins,
      storage,
      rateLimits,
      log,
      mail,
      metrics,
      newStore,
      startBackground() {
        stops.push(startDelivery(mail, config))
        for (const p of plugins) if (p.start) stops.push(p.start(mf.contexts.get(p.id)!))
      },
      async close() {
        for (const stop of stops.splice(0)) await stop()
        for (const p of [...plugins].reverse()) await p.close?.()
        await rateLimits.close?.()
        await storage.close()
      },
    }
  } catch (e) {
    await storage.close().catch(() => undefined)
    throw e
  }
}

/** Demo data goes into a new store on loopback (`auto`), always (`on`) or never (`off`). */
export async function loadStartupFixtures(rt: Runtime): Promise<{ demo: boolean }> {
  const { config } = rt
  const demo = config.demo === 'on' || (config.demo === 'auto' && rt.newStore && isLoopback(config.host))
  if (demo) await loadFixtures(DEMO_FIXTURES, await readFixtures(DEMO_FIXTURES), rt.plugins, rt.contexts)
  if (config.fixtures)
    await loadFixtures(config.fixtures, await readFixtures(config.fixtures), rt.plugins, rt.contexts)
  return { demo }
}
