import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import { tryDemo } from '@mailfront/core'
import { certificateHostnames } from './admin/hosts.ts'
import { cliName } from './cli-name.ts'
import { clientHostnames } from './client-hosts.ts'
import { type Config, checkAdminExposure, ENV_SPEC } from './config.ts'
import { suggestVariable } from './config-plugins.ts'
import type { RunningProxy } from './connect-proxy.ts'
import { guardConnections } from './connection-guard.ts'
import { smtpExamples } from './demo.ts'
import type { RunningDns } from './dns-responder.ts'
import { listenHint } from './listen-hint.ts'
import type { createLogger } from './log.ts'
import { describedPlugin } from './registry.ts'
import { createRuntime, demoPresent, loadStartupFixtures, type Runtime } from './runtime.ts'
import { type RunningSmtp, startSmtp } from './smtp.ts'
import { caFiles, caIssuedCert, certificateNames, filesCert } from './tls.ts'

export interface Running {
  runtime: Runtime
  server: Server
  url: string
  /** The SMTP submission port, unless MAILFRONT_SMTP_PORT=off. */
  smtp: RunningSmtp | null
  /** The HTTPS proxy's and the DNS responder's ports, when on. */
  proxyPort?: number
  dnsPort?: number
  stop(): Promise<void>
}

const SHUTDOWN_GRACE_MS = 10_000
// The HTTPS proxy's bounds: open client connections (tunnels included), and a tunnel's idle time.
const PROXY_MAX_CONNECTIONS = 512
const PROXY_IDLE_MS = 120_000

/** Start the HTTP(S) server. Resolves once it listens. */
export async function serve(
  config: Config,
  log: ReturnType<typeof createLogger>,
  print: (s: string) => void = console.log,
  runtimeOpts: Parameters<typeof createRuntime>[2] = {},
  warn: (s: string) => void = console.error,
  /** How long stop() lets in-flight requests and open tunnels finish before closing them. */
  { shutdownGraceMs: grace = SHUTDOWN_GRACE_MS }: { shutdownGraceMs?: number } = {},
): Promise<Running> {
  const t0 = performance.now()
  checkAdminExposure(config)
  // Plain text on stderr (never a JSON log line): meant for the person who made the typo.
  for (const name of config.unknownVariables) {
    const hint = suggestVariable(name, Object.keys(ENV_SPEC))
    warn(
      `warning: unknown MAILFRONT_* variable ${name}, ignored${hint ? ` (did you mean ${hint}?)` : ' (a typo?)'}`,
    )
  }
  const hosts = clientHostnames(
    config.plugins.map((id) => describedPlugin(id)!),
    config.hostnames,
  )
  const tls =
    config.tls.mode === 'self-signed'
      ? await caIssuedCert(
          config.dataDir,
          certificateNames(config.host, [...config.extraHostnames, ...hosts]),
        )
      : config.tls.mode === 'files'
        ? await filesCert(config.tls.cert!, config.tls.key!)
        : null
  const runtime = await createRuntime(config, log, {
    ...runtimeOpts,
    certificateNames: tls ? certificateHostnames(tls.cert) : [],
  })
  const loaded = await loadStartupFixtures(runtime)
  // Not only at a new store's first start: whenever the store holds the demo data, its logins are shown.
  const demo = loaded.demo || (await demoPresent(runtime.storage))
  // Timeouts are checked every second (Node's default is 30 s), so a slow client is closed on time.
  const common = { connectionsCheckingInterval: 1_000 }
  const server = createAdaptorServer({
    fetch: runtime.app.fetch,
    ...(tls
      ? {
          createServer: createHttpsServer,
          serverOptions: {
            ...common,
            key: tls.key,
            cert: tls.cert,
            handshakeTimeout: config.headersTimeoutMs,
            // Node offers only http/1.1 and ends a handshake that offers only http/1.0 (`curl
            // --http1.0`, the PHP client's raw HTTP/1.0 mode) with alert 120: accept both.
            ALPNProtocols: ['http/1.1', 'http/1.0'],
          },
        }
      : { createServer: createHttpServer, serverOptions: common }),
  }) as Server
  server.headersTimeout = config.headersTimeoutMs
  server.requestTimeout = config.requestTimeoutMs
  server.keepAliveTimeout = 5_000
  guardConnections(
    server,
    { headersTimeoutMs: config.headersTimeoutMs, maxPerAddress: config.maxConnectionsPerAddress },
    log,
    { tls: !!tls },
  )
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(config.port, config.host, () => resolve())
    })
  } catch (e) {
    await runtime.close()
    throw new Error(
      `cannot listen for HTTP on ${config.host}:${config.port}: ${(e as Error).message}${listenHint(e, 'MAILFRONT_PORT', '--port')}`,
    )
  }
  const port = (server.address() as AddressInfo).port
  let smtp: RunningSmtp | null
  try {
    smtp = await startSmtp(runtime, tls)
  } catch (e) {
    server.close()
    await runtime.close()
    throw new Error(
      `cannot listen for SMTP on ${config.host}:${config.smtp.port}: ${(e as Error).message}${listenHint(e, 'MAILFRONT_SMTP_PORT', '--smtp-port')}`,
    )
  }
  let proxy: RunningProxy | null = null
  let dns: RunningDns | null = null
  let starting = {
    what: 'HTTPS proxy',
    port: config.proxyPort,
    variable: 'MAILFRONT_PROXY_PORT',
    flag: '--proxy-port',
  }
  try {
    // Loaded only when on: a default start reads neither.
    if (config.proxyPort !== 'off')
      proxy = await (await import('./connect-proxy.ts')).startConnectProxy({
        hostnames: hosts,
        tlsServer: server,
        host: config.host,
        port: config.proxyPort,
        maxConnections: PROXY_MAX_CONNECTIONS,
        idleTimeoutMs: PROXY_IDLE_MS,
        headersTimeoutMs: config.headersTimeoutMs,
        log,
      })
    if (config.dns.port !== 'off') {
      starting = {
        what: 'DNS responder',
        port: config.dns.port,
        variable: 'MAILFRONT_DNS_PORT',
        flag: '--dns-port',
      }
      const { dnsOptions, startDnsResponder } = await import('./dns-responder.ts')
      dns = await startDnsResponder(dnsOptions(config, hosts, log))
    }
  } catch (e) {
    server.close()
    await smtp?.close()
    await proxy?.close()
    await runtime.close()
    throw new Error(
      `cannot start the ${starting.what} on ${config.host}:${starting.port}: ${(e as Error).message}${listenHint(e, starting.variable, starting.flag)}`,
    )
  }
  runtime.startBackground()
  const scheme = tls ? 'https' : 'http'
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host
  const url = `${scheme}://${hostForUrl}:${port}`
  // A wildcard listen address is not one a client can dial: what is printed uses loopback.
  const clientUrl = url.replace(/\/\/(0\.0\.0\.0|\[::\])/, '//127.0.0.1')
  const clientHost = ['0.0.0.0', '::'].includes(config.host) ? '127.0.0.1' : hostForUrl
  log.info(
    {
      url,
      smtpPort: smtp?.port ?? 'off',
      delivery: config.mail.delivery,
      plugins: runtime.plugins.map((p) => p.id),
      storage: runtime.storage.id,
      demo,
      ms: Math.round(performance.now() - t0),
    },
    'mailfront listening',
  )
  // The banner goes out in one write: a reader never sees half of it, and no log line lands inside it.
  const banner: string[] = []
  const say = (line: string) => banner.push(line)
  if (config.admin === 'open') {
    // Say where the mode came from: the image's default is nobody's explicit choice.
    const source = config.adminDefaulted
      ? 'MAILFRONT_ADMIN=open by default (MAILFRONT_ADMIN_DEFAULT=open, as the container image sets; set MAILFRONT_ADMIN_TOKEN to require a token)'
      : 'MAILFRONT_ADMIN=open'
    const warning = `${source}: anyone who reaches this port is admin of /_mailfront/* (password hashes, DKIM keys, reset) by an IP address, localhost or a configured host name; for a throwaway test container only`
    log.warn({ admin: 'open' }, warning)
    say(`warning: ${warning}`)
  }
  if (!tls && config.requireHttps) {
    const warning = config.trustProxy
      ? 'TLS is off and HTTPS is required: only requests a trusted proxy marks X-Forwarded-Proto: https are served'
      : 'TLS is off and HTTPS is required: every plain-HTTP request is refused; set MAILFRONT_REQUIRE_HTTPS=false, or MAILFRONT_TRUST_PROXY=true behind a TLS proxy'
    log.warn({ tls: 'off', requireHttps: true }, warning)
    // Printed too, in the banner: the (buffered) log line would come after it.
    say(`warning: ${warning}`)
  }
  say(
    `mailfront ${clientUrl}  (plugins: ${runtime.plugins.map((p) => p.id).join(', ')}; store: ${runtime.storage.id}; docs: ${clientUrl}/docs)`,
  )
  if (smtp) {
    const tlsNote =
      config.smtp.auth === 'any'
        ? 'MAILFRONT_SMTP_AUTH=any: any login or none, captured'
        : tls
          ? 'STARTTLS, AUTH required'
          : 'no STARTTLS (MAILFRONT_TLS=off): AUTH from loopback only'
    say(
      `SMTP submission on ${hostForUrl}:${smtp.port} (${tlsNote}); delivery: ${config.mail.delivery}; captured mail: ${clientUrl}/_mailfront/messages`,
    )
  }
  if (tls && 'warning' in tls && tls.warning) {
    log.warn({ ca: caFiles(config.dataDir).cert }, tls.warning)
    say(`warning: ${tls.warning}`)
  }
  const cli = cliName()
  if (tls?.generated && config.tls.mode === 'self-signed')
    say(
      `issued a certificate from the local CA ${caFiles(config.dataDir).cert} for ${hosts.join(', ') || 'loopback'} (trust it: sudo ${cli} ca --install, or curl --cacert "$(${cli} ca --path)"; or use curl -k)`,
    )
  if (proxy)
    say(
      `HTTPS proxy on ${clientHost}:${proxy.port} (CONNECT to ${hosts.map((h) => `${h}:443`).join(', ')} only): HTTPS_PROXY=http://${clientHost}:${proxy.port}`,
    )
  if (dns)
    say(
      `DNS responder on ${hostForUrl}:${dns.port} (UDP and TCP): ${hosts.join(', ')} → ${dns.answer.join(', ')}`,
    )
  say(`state, request log and mail: ${clientUrl}/   admin API: ${clientUrl}/_mailfront/`)
  if (demo) {
    say('demo data loaded; try:')
    const selfSigned = config.tls.mode === 'self-signed'
    for (const p of runtime.plugins)
      for (const line of tryDemo(p.data?.demo, clientUrl, selfSigned)) say(`  ${line}`)
    if (smtp) {
      say(`send mail (see it at ${clientUrl}/_mailfront/messages):`)
      for (const line of smtpExamples(clientHost, smtp.port, runtime.plugins, !!tls)) say(`  ${line}`)
    }
  }
  print(banner.join('\n'))

  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= (async () => {
      runtime.draining.value = true
      log.info('shutting down: finishing in-flight requests')
      const smtpClosed = smtp?.close()
      // The HTTPS server's drain and its deadline start first: an open tunnel must not hold them back.
      const closed = new Promise<void>((r) => server.close(() => r()))
      server.closeIdleConnections()
      const timer = setTimeout(() => server.closeAllConnections(), grace)
      const proxyClosed = proxy?.close(grace)
      await dns?.close()
      await proxyClosed
      await closed
      await smtpClosed
      clearTimeout(timer)
      await runtime.close()
      log.info('stopped')
    })()
    return stopping
  }
  return { runtime, server, url, smtp, proxyPort: proxy?.port, dnsPort: dns?.port, stop }
}
