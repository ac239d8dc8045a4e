import { resolve } from 'node:path'
import { type LoginThrottleLimits, loginThrottleLimitsFrom } from '@mailfront/core'
import { givenText } from '@mailfront/core/host'
import type { AdminMode } from './admin/access.ts'
import type { TrustProxy } from './client-address.ts'
import { ADMIN_MODES, ConfigError, ENV_SPEC, isLoopback, serverEnvSchema } from './config-env.ts'
import { type PluginSettings, readPluginSettings, unknownVariables } from './config-plugins.ts'

export { ConfigError, ENV_SPEC, isLoopback } from './config-env.ts'

export interface Config extends PluginSettings {
  host: string
  port: number
  plugins: string[]
  dataDir: string
  databaseUrl: string
  redisUrl?: string
  tls: { mode: 'self-signed' | 'off' | 'files'; cert?: string; key?: string }
  /** MAILFRONT_HOSTNAME: more names for the self-signed certificate. */
  extraHostnames: string[]
  /** MAILFRONT_PROXY_PORT: the HTTPS (CONNECT) proxy for the plugins' public hostnames. */
  proxyPort: number | 'off'
  /** MAILFRONT_DNS_PORT and its answer and upstream resolvers (unset: the listen address, resolv.conf's). */
  dns: { port: number | 'off'; answer?: string[]; upstream?: string[]; forward: 'private' | 'any' }
  /** false, a number of trusted hops, or the trusted proxies' addresses/CIDRs. */
  trustProxy: TrustProxy
  requireHttps: boolean
  fixtures?: string
  demo: 'auto' | 'on' | 'off'
  /** MAILFRONT_CLOCK resolved: `movable` lets POST /_mailfront/clock move the time every rule reads. */
  clock: 'system' | 'movable'
  secret?: string
  logLevel: string
  bodyLimit: number
  headersTimeoutMs: number
  requestTimeoutMs: number
  maxConnectionsPerAddress: number
  adminToken?: string
  /** MAILFRONT_ADMIN: `auto` (token, or loopback without proxy headers), `off`, `open`. */
  admin: AdminMode
  /** The mode is MAILFRONT_ADMIN_DEFAULT's (the container image's), not set by MAILFRONT_ADMIN. */
  adminDefaulted?: boolean
  /** MAILFRONT_ADMIN_HOSTS: with no token, more Host names the admin API answers to (DNS-rebinding guard). */
  adminHosts: string[]
  /** Requests kept by the request log. */
  requestLogSize: number
  smtp: {
    port: number | 'off'
    maxSize: number
    maxClients: number
    login: LoginThrottleLimits
    /** `any`: capture-anything (any login or none, any sender); never with relay delivery. */
    auth: 'accounts' | 'any'
  }
  mail: {
    delivery: 'capture' | 'relay'
    relayUrl?: string
    retryS: number
    maxAttempts: number
    /** MAILFRONT_MAIL_RETAIN: captured mail kept (unset: all). */
    retain?: { count?: number; ageMs?: number }
    /** MAILFRONT_MAIL_RELEASE_ALLOW: where a captured message may be released to (empty: nowhere). */
    releaseAllow: string[]
    /** MAILFRONT_MAIL_SIMULATOR_DOMAIN: the simulator addresses' domain; null: off. */
    simulatorDomain: string | null
    /** MAILFRONT_MAIL_SIMULATOR_SLOW: `slow@`'s delay, ms. */
    simulatorSlowMs: number
  }
  /** MAILFRONT_WEBHOOK_URL and MAILFRONT_WEBHOOK_SECRET (the admin API's webhook, once set, wins). */
  webhook?: { url: string; secret: string }
  /** MAILFRONT_* variables nothing reads (a warning at start). */
  unknownVariables: string[]
}

/**
 * Whether `serve` may start with this admin setting: an admin API with no token must be chosen
 * explicitly (MAILFRONT_ADMIN=off or open) on an address other than loopback, and behind a declared
 * proxy (MAILFRONT_TRUST_PROXY), which on the same host makes every client loopback. Throws ConfigError.
 */
export function checkAdminExposure(
  config: Pick<Config, 'host' | 'adminToken' | 'admin' | 'trustProxy'>,
): void {
  if (config.admin !== 'auto' || config.adminToken) return
  const choose =
    'set a token, or MAILFRONT_ADMIN=off (no admin API) or MAILFRONT_ADMIN=open (anyone who reaches the port is admin)'
  if (!isLoopback(config.host))
    throw new ConfigError(
      `MAILFRONT_HOST=${config.host} is not loopback and MAILFRONT_ADMIN_TOKEN is unset: ${choose}`,
    )
  if (config.trustProxy !== false && config.trustProxy !== 0)
    throw new ConfigError(
      `MAILFRONT_TRUST_PROXY declares a proxy (through which every client may come from loopback) and MAILFRONT_ADMIN_TOKEN is unset: ${choose}`,
    )
}

/**
 * MAILFRONT_ADMIN when neither the environment nor a flag sets it: `auto` once a token is given (the
 * token is then required), else MAILFRONT_ADMIN_DEFAULT (what the image sets), else `auto`. A bad
 * MAILFRONT_ADMIN_DEFAULT is left to its own check.
 */
function adminModeUnset(token: string | undefined, imageDefault: string | undefined): string {
  if (token !== undefined) return 'auto'
  return (ADMIN_MODES as readonly string[]).includes(imageDefault ?? '') ? imageDefault! : 'auto'
}

/** Parse configuration from the environment with flag overrides; throws ConfigError with one line. */
export function loadConfig(
  env: NodeJS.ProcessEnv,
  flags: Partial<Record<keyof typeof ENV_SPEC, string>> = {},
): Config {
  const raw: Record<string, string | undefined> = {}
  for (const [k, spec] of Object.entries(ENV_SPEC))
    raw[k] = flags[k as keyof typeof ENV_SPEC] ?? env[k] ?? spec.default
  // The container image's default admin mode (open) is not the user's choice: it gives way to a token.
  const adminUnset = (flags.MAILFRONT_ADMIN ?? env.MAILFRONT_ADMIN) === undefined
  if (adminUnset) raw.MAILFRONT_ADMIN = adminModeUnset(raw.MAILFRONT_ADMIN_TOKEN, raw.MAILFRONT_ADMIN_DEFAULT)
  const r = serverEnvSchema.safeParse(raw)
  if (!r.success) {
    const i = r.error.issues[0]!
    const name = String(i.path[0] ?? '')
    // A message naming its variable (or, for a rule across several, the one it starts with) stands alone.
    const msg =
      i.message.startsWith(name) || i.message.startsWith('MAILFRONT_') ? i.message : `${name}: ${i.message}`
    // Say what was given, except for secrets (a relay URL carries its login).
    // Nothing given (a missing companion variable): nothing to quote.
    const given = raw[name] === undefined ? '' : givenText(name, raw[name])
    throw new ConfigError(/RELAY_URL/.test(name) ? msg : `${msg}${given}`)
  }
  const c = r.data
  const plugins = readPluginSettings(c.MAILFRONT_PLUGINS, env, (m) => new ConfigError(m))
  // The SMTP port's login throttle: MAILFRONT_SMTP_LOGIN_FAILURES, _ADDRESS_FAILURES, _CEILING, _WINDOW_S.
  const smtpOptions: Record<string, string> = {}
  for (const [k, v] of Object.entries(env))
    if (k.startsWith('MAILFRONT_SMTP_LOGIN_') && v !== undefined)
      smtpOptions[k.slice('MAILFRONT_SMTP_'.length).toLowerCase()] = v
  let smtpLogin: LoginThrottleLimits
  try {
    smtpLogin = loginThrottleLimitsFrom(smtpOptions, 'MAILFRONT_SMTP_')
  } catch (e) {
    throw new ConfigError((e as Error).message)
  }
  const dataDir = resolve(c.MAILFRONT_DATA_DIR)
  return {
    host: c.MAILFRONT_HOST,
    port: c.MAILFRONT_PORT,
    plugins: c.MAILFRONT_PLUGINS,
    dataDir,
    databaseUrl: c.MAILFRONT_DATABASE_URL ?? `sqlite:${resolve(dataDir, 'mailfront.db')}`,
    redisUrl: c.MAILFRONT_REDIS_URL,
    tls: { mode: c.MAILFRONT_TLS, cert: c.MAILFRONT_TLS_CERT, key: c.MAILFRONT_TLS_KEY },
    extraHostnames: c.MAILFRONT_HOSTNAME ?? [],
    proxyPort: c.MAILFRONT_PROXY_PORT,
    dns: {
      port: c.MAILFRONT_DNS_PORT,
      answer: c.MAILFRONT_DNS_ANSWER,
      upstream: c.MAILFRONT_DNS_UPSTREAM,
      forward: c.MAILFRONT_DNS_FORWARD,
    },
    trustProxy: c.MAILFRONT_TRUST_PROXY,
    // Plain HTTP on loopback is the developer's choice of transport: refusing it would refuse everything.
    requireHttps: c.MAILFRONT_REQUIRE_HTTPS ?? !(c.MAILFRONT_TLS === 'off' && isLoopback(c.MAILFRONT_HOST)),
    fixtures: c.MAILFRONT_FIXTURES,
    demo: c.MAILFRONT_DEMO,
    // auto: movable only on a loopback address (a developer's or a test's server), never on a shared one.
    clock:
      c.MAILFRONT_CLOCK === 'auto'
        ? isLoopback(c.MAILFRONT_HOST)
          ? 'movable'
          : 'system'
        : c.MAILFRONT_CLOCK,
    secret: c.MAILFRONT_SECRET,
    logLevel: c.MAILFRONT_LOG_LEVEL,
    bodyLimit: c.MAILFRONT_BODY_LIMIT,
    headersTimeoutMs: Math.round(c.MAILFRONT_HEADERS_TIMEOUT_S * 1000),
    requestTimeoutMs: Math.round(c.MAILFRONT_REQUEST_TIMEOUT_S * 1000),
    maxConnectionsPerAddress: c.MAILFRONT_MAX_CONNECTIONS_PER_ADDRESS,
    adminToken: c.MAILFRONT_ADMIN_TOKEN,
    admin: c.MAILFRONT_ADMIN,
    adminDefaulted:
      adminUnset && c.MAILFRONT_ADMIN_TOKEN === undefined && c.MAILFRONT_ADMIN_DEFAULT !== undefined,
    adminHosts: c.MAILFRONT_ADMIN_HOSTS ?? [],
    requestLogSize: c.MAILFRONT_REQUEST_LOG_SIZE,
    smtp: {
      port: c.MAILFRONT_SMTP_PORT,
      maxSize: c.MAILFRONT_SMTP_MAX_SIZE,
      maxClients: c.MAILFRONT_SMTP_MAX_CLIENTS,
      login: smtpLogin,
      auth: c.MAILFRONT_SMTP_AUTH,
    },
    mail: {
      delivery: c.MAILFRONT_MAIL_DELIVERY,
      ...(c.MAILFRONT_MAIL_RELAY_URL ? { relayUrl: c.MAILFRONT_MAIL_RELAY_URL } : {}),
      retryS: c.MAILFRONT_MAIL_RETRY_S,
      maxAttempts: c.MAILFRONT_MAIL_MAX_ATTEMPTS,
      ...(c.MAILFRONT_MAIL_RETAIN ? { retain: c.MAILFRONT_MAIL_RETAIN } : {}),
      releaseAllow: c.MAILFRONT_MAIL_RELEASE_ALLOW ?? [],
      simulatorDomain: c.MAILFRONT_MAIL_SIMULATOR_DOMAIN,
      simulatorSlowMs: c.MAILFRONT_MAIL_SIMULATOR_SLOW,
    },
    ...(c.MAILFRONT_WEBHOOK_URL && c.MAILFRONT_WEBHOOK_SECRET
      ? { webhook: { url: c.MAILFRONT_WEBHOOK_URL, secret: c.MAILFRONT_WEBHOOK_SECRET } }
      : {}),
    ...plugins,
    unknownVariables: unknownVariables(Object.keys(ENV_SPEC), env),
  }
}
