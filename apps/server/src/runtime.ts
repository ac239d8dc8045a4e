import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import { join } from 'node:path'
import {
  type Clock,
  type Logger,
  type MailfrontPlugin,
  type ModelSchema,
  type RateLimitStore,
  type StorageAdapter,
  systemClock,
} from '@mailfront/core'
import { createMovableClock, type MovableClock } from '@mailfront/core/host'
import { type MailPipeline, mailModels } from '@mailfront/mail'
import type { AdminEvents } from './admin/events.ts'
import type { FaultSet } from './admin/faults.ts'
import { createMailfront, type Mailfront } from './app.ts'
import type { Config } from './config.ts'
import { createMetrics, type Metrics } from './metrics.ts'
import { createPlugin } from './registry.ts'
import type { RequestLog } from './request-log.ts'
import { adminRouteGroups, createAdminState } from './runtime/admin.ts'
import { Background, closeInTurn, resetRuntime } from './runtime/lifecycle.ts'
import { openMail, startMail } from './runtime/mail.ts'
import { closePlugins, preparePlugins, startPlugins } from './runtime/plugins.ts'
import { openStore } from './runtime/store.ts'
import { webhookModels } from './webhooks/settings.ts'
import { createWebhooks, type Webhooks } from './webhooks/webhooks.ts'

// The runtime is composed from one file per concern (runtime/): the store, the mail pipeline, the
// admin state, the plugins, and the lifecycle (reset, background work, close).
export { demoPresent, loadStartupFixtures } from './runtime/fixtures.ts'

export interface Runtime extends Mailfront {
  config: Config
  plugins: MailfrontPlugin[]
  storage: StorageAdapter
  rateLimits: RateLimitStore
  log: Logger
  /** The mail pipeline (submit, queue, events); its delivery worker runs in startBackground. */
  mail: MailPipeline
  metrics: Metrics
  /** Outbound webhooks: settings, the delivery queue and its log. */
  webhooks: Webhooks
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
   * request log, the faults and the webhook delivery log cleared. Returns what was loaded, per plugin.
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
    /** The DNS names of the certificate `serve` answers with: the token-less admin API answers to them too. */
    certificateNames?: string[]
  } = {},
): Promise<Runtime> {
  await mkdir(config.dataDir, { recursive: true })
  const plugins = config.plugins.map((id) => createPlugin(id))
  // One clock for everything: the system time plus an offset tests move, when movable.
  const movableClock = config.clock === 'movable' ? createMovableClock(opts.clock ?? systemClock) : undefined
  const clock: Clock = movableClock ?? opts.clock ?? systemClock
  const models: ModelSchema = { ...mailModels, ...webhookModels }
  for (const p of plugins) Object.assign(models, p.data?.models)
  const { storage, rateLimits, newStore } = await openStore(config, log, clock, models)
  try {
    const metrics = createMetrics()
    const admin = createAdminState(config)
    const mail = openMail({ storage, clock, log, metrics, events: admin.events, config: config.mail })
    const webhooks = createWebhooks({ storage, clock, log, mail, events: admin.events, env: config.webhook })
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
      // The operator's own names (the plugins' hostnames are added by createMailfront).
      adminHosts: [
        ...(isIP(config.host) ? [] : [config.host]),
        ...config.extraHostnames,
        ...(opts.certificateNames ?? []),
        ...config.adminHosts,
      ],
      pluginOptions: config.pluginOptions,
      prefixes: config.prefixes,
      hostnames: config.hostnames,
      requestLog: admin.requestLog,
      faults: admin.faults,
      adminRoutes: adminRouteGroups(admin, { config, mail, plugins, clock, movableClock, webhooks, self }),
    })
    await preparePlugins(plugins, mf.contexts, mail)
    const background = new Background()
    rt = {
      ...mf,
      ...admin,
      clock,
      movableClock,
      inlineFixtures: opts.fixtures,
      reset: () => resetRuntime(self()),
      config,
      plugins,
      storage,
      rateLimits,
      log,
      mail,
      metrics,
      webhooks,
      newStore,
      startBackground() {
        background.add(...startMail(mail, config), ...startPlugins(plugins, mf.contexts))
        webhooks.start() // stopped by webhooks.close below
      },
      async close() {
        // First: a fault's latency still waiting must not go on to a handler once the store is closed.
        admin.faults.close()
        mail.close() // submissions still waiting (slow@) end now, not against a closed store
        // Each step in turn, even when one before failed (the store down): the store is closed last.
        await closeInTurn(log, [
          ['background work', () => background.stop()],
          // After the worker stopped (no more pipeline events), before the store closes (the webhook's settings).
          ['webhooks', () => webhooks.close()],
          ['plugins', () => closePlugins(plugins, mf.contexts)],
          ['rate-limit store', async () => rateLimits.close?.()],
          ['store', () => storage.close()],
        ])
      },
    }
    return rt
  } catch (e) {
    await storage.close().catch(() => undefined)
    throw e
  }
}
