import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import type { Config } from './config.ts'
import { demoLines } from './demo.ts'
import type { createLogger } from './log.ts'
import { createRuntime, loadStartupFixtures, type Runtime } from './runtime.ts'
import { filesCert, selfSignedCert } from './tls.ts'

export interface Running {
  runtime: Runtime
  server: Server
  url: string
  stop(): Promise<void>
}

const SHUTDOWN_GRACE_MS = 10_000

/** Start the HTTP(S) server. Resolves once it listens. */
export async function serve(
  config: Config,
  log: ReturnType<typeof createLogger>,
  print: (s: string) => void = console.log,
  runtimeOpts: Parameters<typeof createRuntime>[2] = {},
): Promise<Running> {
  const t0 = performance.now()
  const tls =
    config.tls.mode === 'self-signed'
      ? await selfSignedCert(config.dataDir)
      : config.tls.mode === 'files'
        ? await filesCert(config.tls.cert!, config.tls.key!)
        : null
  const runtime = await createRuntime(config, log, runtimeOpts)
  const { demo } = await loadStartupFixtures(runtime)
  const server = createAdaptorServer({
    fetch: runtime.app.fetch,
    ...(tls
      ? { createServer: createHttpsServer, serverOptions: { key: tls.key, cert: tls.cert } }
      : { createServer: createHttpServer }),
  }) as Server
  server.headersTimeout = 10_000
  server.requestTimeout = 30_000
  server.keepAliveTimeout = 5_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  runtime.startBackground()
  const scheme = tls ? 'https' : 'http'
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host
  const url = `${scheme}://${hostForUrl}:${port}`
  const missing = config.unavailablePlugins
  log.info(
    {
      url,
      plugins: runtime.plugins.map((p) => p.id),
      storage: runtime.storage.id,
      demo,
      ms: Math.round(performance.now() - t0),
    },
    'mailfront listening',
  )
  print(
    `mailfront ${url}  (plugins: ${runtime.plugins.map((p) => p.id).join(', ')}; store: ${runtime.storage.id}; docs: ${url}/docs)`,
  )
  if (missing.length) print(`not available yet: ${missing.join(', ')}`)
  if (tls?.generated) print(`generated a self-signed certificate in ${config.dataDir} (use curl -k)`)
  if (!tls && config.requireHttps)
    log.warn(
      { tls: 'off', requireHttps: true },
      config.trustProxy
        ? 'TLS is off and HTTPS is required: only requests a trusted proxy marks X-Forwarded-Proto: https are served'
        : 'TLS is off and HTTPS is required: every plain-HTTP request is refused; set MAILFRONT_REQUIRE_HTTPS=false, or MAILFRONT_TRUST_PROXY=true behind a TLS proxy',
    )
  print(`state, request log and mail: ${url}/   admin API: ${url}/_mailfront/`)
  if (demo) {
    print('demo data loaded; try:')
    const selfSigned = config.tls.mode === 'self-signed'
    for (const p of runtime.plugins) for (const line of demoLines(p.id, url, selfSigned)) print(`  ${line}`)
  }

  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= (async () => {
      runtime.draining.value = true
      log.info('shutting down: finishing in-flight requests')
      const closed = new Promise<void>((r) => server.close(() => r()))
      server.closeIdleConnections()
      const timer = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS)
      await closed
      clearTimeout(timer)
      await runtime.close()
      log.info('stopped')
    })()
    return stopping
  }
  return { runtime, server, url, stop }
}
