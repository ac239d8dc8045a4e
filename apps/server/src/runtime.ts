import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import {
  type Clock,
  createMovableClock,
  type Logger,
  type MailfrontPlugin,
  type ModelSchema,
  type MovableClock,
  type RateLimitStore,
  type StorageAdapter,
  systemClock,
} from '@mailfront/core'
import {
  rateLimitModels,
  redisRateLimitStore,
  storageRateLimitStore,
  withRowCache,
} from '@mailfront/core/host'
import { createMailPipeline, type MailPipeline, mailModels } from '@mailfront/mail'
import { openStorage } from '@mailfront/storage-sql'
import { clockRoutes } from './admin/clock.ts'
import { AdminEvents, eventRoutes } from './admin/events.ts'
import { FaultSet, faultRoutes } from './admin/faults.ts'
import { messageRoutes } from './admin/messages.ts'
import { requestRoutes } from './admin/requests.ts'
import { stateRoutes } from './admin/state.ts'
import { createMailfront, type Mailfront } from './app.ts'
import type { Config } from './config.ts'
import { isLoopback } from './config.ts'
import { demoFixtures } from './demo.ts'
import { exportFixtures, loadFixtures, readFixtures } from './fixtures.ts'
import { startDelivery, startRetention } from './mail.ts'
import { createMetrics, type Metrics } from './metrics.ts'
import { configuredSecrets, Redactor } from './redact.ts'
import { createPlugin } from './registry.ts'
import { RequestLog } from './request-log.ts'

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
  requestLog: RequestLog
  faults: FaultSet
  /** The time every rule reads (token expiry, windows, the queue's schedule, …). */
  clock: Clock
  /** The same clock when MAILFRONT_CLOCK made it movable (POST /_mailfront/clock). */
  movableClock?: MovableClock
  /** What changed, for GET /_mailfront/events. */
  events: AdminEvents
  /** A fixtures document given in code (the test helper), loaded at start and on reset. */
  inlineFixtures?: Record<string, unknown>
  /**
   * Back to the start: the store emptied (schema kept), the configured fixtures loaded again, the
   * request log and the faults cleared. Returns what was loaded, per plugin.
   */
  reset(): Promise<Record<string, number>>
  /**
   * The store as the fixtures left it on a fresh start, secrets already hashed: a reset loads this
   * instead of hashing every demo password again (seconds of bcrypt). Keyed by the fixtures file's mtime.
   */
  seeded?: { data: Record<string, unknown>; stamp: string }
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
  opts: {
    clock?: Clock
    fixtures?: Record<string, unknown>
    /** Tests calling `rt.app.request` in this process: see AppDeps.adminInProcessIsLocal. */
    inProcessIsLocal?: boolean
  } = {},
): Promise<Runtime> {
  await mkdir(config.dataDir, { recursive: true })
  const plugins = config.plugins.map((id) => createPlugin(id))
  // One clock for everything: the system time plus an offset tests move, when movable.
  const movableClock = config.clock === 'movable' ? createMovableClock(opts.clock ?? systemClock) : undefined
  const clock: Clock = movableClock ?? opts.clock ?? systemClock
  // Principal rows (models with cacheMs) are reused for up to 1 s on this instance: withRowCache.
  const storage = withRowCache(
    await openStorage(config.databaseUrl, {
      // The pool drops the dead connection and opens a new one on the next query: one line, no crash.
      onConnectionError: (err) => log.warn({ reason: err.message }, 'database connection lost'),
    }),
    { clock },
  )
  try {
    const models: ModelSchema = { ...coreModels, ...mailModels }
    for (const p of plugins) Object.assign(models, p.data?.models)
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
      : storageRateLimitStore(storage, { clock })
    const metrics = createMetrics()
    const mail = createMailPipeline({
      storage,
      clock,
      log: log.child ? log.child({ component: 'mail' }) : log,
      hostname: hostname(),
    })
    mail.onEvent((e) => metrics.mail.inc({ plugin: e.plugin, event: e.type }))
    const requestLog = new RequestLog(config.requestLogSize, new Redactor(configuredSecrets(config)))
    const faults = new FaultSet()
    const events = new AdminEvents()
    requestLog.subscribe((e) => events.emit('request', e))
    // Captured mail shows up in the UI as it arrives (and as its state changes).
    mail.onEvent((e) => events.emit('mail', { type: e.type, messageId: e.messageId, plugin: e.plugin }))
    let rt: Runtime | undefined
    const self = () => rt!
    const mf = createMailfront({
      plugins,
      storage,
      rateLimits,
      clock,
      log,
      metrics,
      mail,
      secret: await loadSecret(config),
      requireHttps: config.requireHttps,
      trustProxy: config.trustProxy,
      bodyLimit: config.bodyLimit,
      adminToken: config.adminToken,
      adminMode: config.admin,
      adminInProcessIsLocal: opts.inProcessIsLocal,
      pluginOptions: config.pluginOptions,
      prefixes: config.prefixes,
      hostnames: config.hostnames,
      requestLog,
      faults,
      adminRoutes: [
        stateRoutes(self),
        requestRoutes(requestLog),
        messageRoutes(mail, { relayUrl: config.mail.relayUrl, allow: config.mail.releaseAllow }),
        faultRoutes(faults, () => plugins, events),
        clockRoutes(clock, movableClock, events),
        eventRoutes(events),
      ],
    })
    for (const p of plugins) await p.init?.(mf.contexts.get(p.id)!)
    // Addresses the plugins host (their mailboxes): checked at submit, delivered locally.
    for (const p of plugins) {
      const localDelivery = p.mail?.localDelivery
      if (localDelivery) mail.local.add(p.id, localDelivery(mf.contexts.get(p.id)!))
    }
    const stops: (() => Promise<void>)[] = []
    rt = {
      ...mf,
      requestLog,
      faults,
      clock,
      movableClock,
      events,
      inlineFixtures: opts.fixtures,
      async reset() {
        await storage.truncate()
        await storage.create({
          model: META,
          data: { key: 'initialized_at', value: new Date().toISOString() },
        })
        requestLog.clear()
        faults.clear()
        movableClock?.reset()
        const { loaded } = await loadStartupFixtures(self(), { fresh: true })
        events.emit('reset', { loaded })
        return loaded
      },
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
        stops.push(startRetention(mail, config.mail.retain))
        for (const p of plugins) if (p.start) stops.push(p.start(mf.contexts.get(p.id)!))
      },
      async close() {
        for (const stop of stops.splice(0)) await stop()
        for (const p of [...plugins].reverse()) await p.close?.(mf.contexts.get(p.id)!)
        await rateLimits.close?.()
        await storage.close()
      },
    }
    return rt
  } catch (e) {
    await storage.close().catch(() => undefined)
    throw e
  }
}

/**
 * Demo data goes into a new store on loopback (`auto`), always (`on`) or never (`off`); then the
 * MAILFRONT_FIXTURES file and the fixtures given in code. `fresh`: the store was just emptied (reset).
 */
export async function loadStartupFixtures(
  rt: Runtime,
  opts: { fresh?: boolean } = {},
): Promise<{ demo: boolean; loaded: Record<string, number> }> {
  const { config } = rt
  const fresh = opts.fresh ?? rt.newStore
  const demo = config.demo === 'on' || (config.demo === 'auto' && fresh && isLoopback(config.host))
  const loaded: Record<string, number> = {}
  const add = (counts: Record<string, number>) => {
    for (const [k, n] of Object.entries(counts)) loaded[k] = (loaded[k] ?? 0) + n
  }
  const stamp = `${demo}:${config.fixtures ? (await stat(config.fixtures).catch(() => undefined))?.mtimeMs : ''}`
  if (fresh && rt.seeded?.stamp === stamp) {
    add(await loadFixtures('snapshot', rt.seeded.data, rt.plugins, rt.contexts))
    if (demo) await markDemo(rt.storage)
    return { demo, loaded }
  }
  if (demo) {
    add(await loadFixtures('demo', demoFixtures(rt.plugins), rt.plugins, rt.contexts))
    await markDemo(rt.storage)
  }
  if (config.fixtures)
    add(await loadFixtures(config.fixtures, await readFixtures(config.fixtures), rt.plugins, rt.contexts))
  if (rt.inlineFixtures) add(await loadFixtures('fixtures', rt.inlineFixtures, rt.plugins, rt.contexts))
  if (fresh) rt.seeded = { data: await exportFixtures(rt.plugins, rt.contexts), stamp }
  return { demo, loaded }
}

const DEMO_KEY = 'demo_loaded_at'

/** Remembered in the store: a later start (not a new store) still shows the demo logins. */
async function markDemo(storage: StorageAdapter): Promise<void> {
  if (await storage.findOne({ model: META, where: { field: 'key', value: DEMO_KEY } })) return
  await storage
    .create({ model: META, data: { key: DEMO_KEY, value: new Date().toISOString() } })
    .catch(() => undefined) // another instance marked it first
}

/** Whether the demo data was loaded into this store (since its last reset). */
export async function demoPresent(storage: StorageAdapter): Promise<boolean> {
  return !!(await storage.findOne({ model: META, where: { field: 'key', value: DEMO_KEY } }))
}
