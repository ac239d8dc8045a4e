import { isIP } from 'node:net'
import { parseDuration } from '@mailfront/core/host'
import { z } from 'zod'
import { compileTrust, type TrustProxy } from './client-address.ts'
import { pluginList } from './config-plugins.ts'
import { defaultPluginIds } from './registry.ts'
import { WEBHOOK_SECRET_MIN, webhookSecretProblem, webhookUrlProblem } from './webhooks/settings.ts'

/** A bad setting: one line naming the variable (exit code 2). */
export class ConfigError extends Error {}

const bool = (name: string) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: `${name} must be true or false` })
    .transform((v) => ['true', '1', 'yes'].includes(v))

export const ADMIN_MODES = ['auto', 'off', 'open'] as const

/** The server's own environment variables (the product spec's), each with its default and flag. */
export const ENV_SPEC = {
  MAILFRONT_HOST: { default: '127.0.0.1', flag: '--host <addr>', description: 'listen address' },
  MAILFRONT_PORT: { default: '8080', flag: '--port <n>', description: 'listen port (0 = any free port)' },
  MAILFRONT_PLUGINS: {
    default: defaultPluginIds().join(','),
    flag: '--plugins <list>',
    description: 'plugins to mount',
  },
  MAILFRONT_DATA_DIR: {
    default: './data',
    flag: '--data-dir <dir>',
    description: 'SQLite file, certificate and secret',
  },
  MAILFRONT_DATABASE_URL: {
    default: undefined,
    flag: '--database-url <url>',
    description: 'sqlite:PATH, sqlite::memory:, memory:, postgres://…',
  },
  MAILFRONT_REDIS_URL: {
    default: undefined,
    flag: '--redis-url <url>',
    description: 'shared rate-limit store',
  },
  MAILFRONT_TLS: { default: 'self-signed', flag: '--tls <mode>', description: 'self-signed, off or files' },
  MAILFRONT_TLS_CERT: {
    default: undefined,
    flag: '--tls-cert <file>',
    description: 'certificate (with --tls files)',
  },
  MAILFRONT_TLS_KEY: {
    default: undefined,
    flag: '--tls-key <file>',
    description: 'private key (with --tls files)',
  },
  MAILFRONT_HOSTNAME: {
    default: undefined,
    flag: '--hostname <names>',
    description: 'more names (comma list) for the self-signed certificate, e.g. the compose service name',
  },
  MAILFRONT_PROXY_PORT: {
    default: 'off',
    flag: '--proxy-port <n>',
    description:
      "HTTPS proxy port: CONNECT to a plugin's public hostname:443 only (0 = any free port, off = none)",
  },
  MAILFRONT_DNS_PORT: {
    default: 'off',
    flag: '--dns-port <n>',
    description:
      "DNS responder port, UDP and TCP: the plugins' public hostnames, the rest forwarded (off = none)",
  },
  MAILFRONT_DNS_ANSWER: {
    default: undefined,
    flag: '--dns-answer <addrs>',
    description:
      'addresses (comma list) the DNS responder gives for those names (default: the listen address)',
  },
  MAILFRONT_DNS_UPSTREAM: {
    default: undefined,
    flag: '--dns-upstream <addrs>',
    description: "resolvers (comma list of ip or ip:port) for other names (default: /etc/resolv.conf's)",
  },
  MAILFRONT_DNS_FORWARD: {
    default: 'private',
    flag: '--dns-forward <who>',
    description: 'whose queries for other names are forwarded: private (loopback, private nets) or any',
  },
  MAILFRONT_TRUST_PROXY: {
    default: 'false',
    flag: '--trust-proxy <value>',
    description: 'false, true (1 hop), a hop count, or proxy addresses/CIDRs (comma list)',
  },
  MAILFRONT_REQUIRE_HTTPS: {
    // Unset: true, except with MAILFRONT_TLS=off on a loopback address (see loadConfig).
    default: undefined,
    flag: '--require-https <bool>',
    description: 'reject plain-HTTP requests (default true; false with --tls off on loopback)',
  },
  MAILFRONT_FIXTURES: {
    default: undefined,
    flag: '--fixtures <file>',
    description: 'fixtures file to load at start',
  },
  MAILFRONT_DEMO: { default: 'auto', flag: '--demo <mode>', description: 'auto, on or off' },
  MAILFRONT_CLOCK: {
    default: 'auto',
    flag: '--clock <mode>',
    description: 'system, movable (POST /_mailfront/clock moves it) or auto (movable on loopback only)',
  },
  MAILFRONT_SECRET: {
    default: undefined,
    flag: '--secret <value>',
    description: 'JWT and HMAC key (generated if unset)',
  },
  MAILFRONT_LOG_LEVEL: { default: 'info', flag: '--log-level <level>', description: 'pino level' },
  MAILFRONT_BODY_LIMIT: {
    default: '1048576',
    flag: '--body-limit <bytes>',
    description: 'request body limit',
  },
  MAILFRONT_REQUEST_LOG_SIZE: {
    default: '1000',
    flag: '--request-log-size <n>',
    description: 'requests kept for GET /_mailfront/requests (0 = none)',
  },
  MAILFRONT_HEADERS_TIMEOUT_S: {
    default: '10',
    flag: '--headers-timeout <s>',
    description: 'seconds from accept to the end of the first request headers',
  },
  MAILFRONT_REQUEST_TIMEOUT_S: {
    default: '30',
    flag: '--request-timeout <s>',
    description: 'seconds to receive a whole request',
  },
  MAILFRONT_MAX_CONNECTIONS_PER_ADDRESS: {
    default: '256',
    flag: '--max-connections-per-address <n>',
    description: 'open connections per peer address (0 = no bound)',
  },
  MAILFRONT_ADMIN: {
    default: 'auto',
    flag: '--admin <mode>',
    description: 'admin API /_mailfront/*: auto (token, or loopback without proxy), off, or open (anyone)',
  },
  MAILFRONT_ADMIN_DEFAULT: {
    default: undefined,
    flag: '--admin-default <mode>',
    description:
      'the admin mode while neither MAILFRONT_ADMIN nor a token is given (the container image: open)',
  },
  MAILFRONT_ADMIN_TOKEN: {
    default: undefined,
    flag: '--admin-token <token>',
    description: 'bearer token for /_mailfront/*, required from every client once set',
  },
  MAILFRONT_ADMIN_HOSTS: {
    default: undefined,
    flag: '--admin-hosts <names>',
    description:
      'with no token, more host names (comma list, *.example.com allowed) the admin API answers to besides loopback ones',
  },
  MAILFRONT_SMTP_PORT: {
    default: '2525',
    flag: '--smtp-port <n>',
    description: 'SMTP submission port (0 = any free port, off = none)',
  },
  MAILFRONT_SMTP_MAX_SIZE: {
    default: '26214400',
    flag: '--smtp-max-size <bytes>',
    description: 'largest message the SMTP port accepts (advertised as SIZE)',
  },
  MAILFRONT_SMTP_MAX_CLIENTS: {
    default: '10',
    flag: '--smtp-max-clients <n>',
    description: 'simultaneous SMTP connections per client address',
  },
  MAILFRONT_MAIL_DELIVERY: {
    default: 'capture',
    flag: '--mail-delivery <mode>',
    description: 'capture (keep, deliver nothing) or relay (to MAILFRONT_MAIL_RELAY_URL)',
  },
  MAILFRONT_MAIL_RELAY_URL: {
    default: undefined,
    flag: '--mail-relay-url <url>',
    description: 'smtp://[user:pass@]host[:port] or smtps://… (relay mode)',
  },
  MAILFRONT_MAIL_RETRY_S: {
    default: '60',
    flag: '--mail-retry-s <s>',
    description: 'first retry delay after a temporary failure (doubles, at most 1 h)',
  },
  MAILFRONT_MAIL_MAX_ATTEMPTS: {
    default: '10',
    flag: '--mail-max-attempts <n>',
    description: 'delivery attempts before a message bounces',
  },
  MAILFRONT_MAIL_RETAIN: {
    default: undefined,
    flag: '--mail-retain <n,age>',
    description: 'captured mail kept: a count, an age (30m, 12h, 7d) or both (1000,7d); older pruned',
  },
  MAILFRONT_MAIL_RELEASE_ALLOW: {
    default: undefined,
    flag: '--mail-release-allow <list>',
    description: 'domains and addresses a captured message may be released to (via the relay URL)',
  },
  MAILFRONT_MAIL_SIMULATOR_DOMAIN: {
    default: 'simulator.mailfront.test',
    flag: '--mail-simulator-domain <domain>',
    description: 'domain of the simulator addresses (delivered@, bounce@, defer@, …); off or empty: none',
  },
  MAILFRONT_MAIL_SIMULATOR_SLOW: {
    default: '5s',
    flag: '--mail-simulator-slow <duration>',
    description: 'how long slow@ at the simulator domain waits before it is accepted (500ms, 5s, 1m)',
  },
  MAILFRONT_SMTP_AUTH: {
    default: 'accounts',
    flag: '--smtp-auth <mode>',
    description: "accounts (the plugins' logins) or any (capture anything: any login or none)",
  },
  MAILFRONT_WEBHOOK_URL: {
    default: undefined,
    flag: '--webhook-url <url>',
    description: 'http(s) URL each message event is POSTed to, signed (needs MAILFRONT_WEBHOOK_SECRET)',
  },
  MAILFRONT_WEBHOOK_SECRET: {
    default: undefined,
    flag: '--webhook-secret <value>',
    description: `HMAC-SHA256 key signing each webhook (${WEBHOOK_SECRET_MIN}+ characters)`,
  },
} as const

const portOrOff = (name: string) =>
  z.string().transform((v, c): number | 'off' => {
    if (v === 'off') return 'off'
    const n = /^\d{1,5}$/.test(v) ? Number(v) : Number.NaN
    if (!(n >= 0 && n <= 65535)) {
      c.addIssue({ code: 'custom', message: `${name} must be a port number or off` })
      return z.NEVER
    }
    return n
  })

const commaList = (name: string, what: string, ok: (v: string) => boolean) =>
  z.string().transform((s, c) => {
    const list = s
      .split(',')
      .map((x) => x.trim().toLowerCase())
      .filter(Boolean)
    const bad = list.find((x) => !ok(x))
    if (bad !== undefined || !list.length) {
      c.addIssue({ code: 'custom', message: `${name} must be ${what}${bad ? ` ("${bad}" is not)` : ''}` })
      return z.NEVER
    }
    return list
  })

/** A resolver address: `ip`, `ip:port` or `[ipv6]:port` (port 53 when none). */
export function parseResolver(v: string): { address: string; port: number } | undefined {
  const m = /^\[([0-9a-f:.]+)\]:(\d{1,5})$/i.exec(v) ?? /^([0-9.]+):(\d{1,5})$/.exec(v)
  const [address, port] = m ? [m[1]!, Number(m[2])] : [v, 53]
  return isIP(address) && port > 0 && port <= 65535 ? { address, port } : undefined
}

const RETAIN_FORM = 'MAILFRONT_MAIL_RETAIN must be a count, an age (30m, 12h, 7d) or both (1000,7d)'

/**
 * MAILFRONT_MAIL_RETAIN: `1000`, `7d`, `1000,7d` (a count and/or an age, in the core's duration
 * units). Returns the one-line error instead when the value is not that, or would keep nothing.
 */
export function parseRetain(v: string): { count?: number; ageMs?: number } | string {
  const out: { count?: number; ageMs?: number } = {}
  for (const part of v.split(/[\s,]+/).filter(Boolean)) {
    if (/^\d{1,9}$/.test(part)) out.count = Number(part)
    else {
      let ms: number
      try {
        ms = /^\d/.test(part) ? parseDuration(part) : Number.NaN
      } catch {
        return RETAIN_FORM
      }
      if (!Number.isSafeInteger(ms)) return RETAIN_FORM
      out.ageMs = ms
    }
  }
  if (out.count === 0)
    return 'MAILFRONT_MAIL_RETAIN: a count of 0 would delete all mail as it arrives: give 1 or more (unset keeps all)'
  if (out.ageMs === 0)
    return 'MAILFRONT_MAIL_RETAIN: an age of 0 would delete all mail as it arrives: give a longer one (unset keeps all)'
  return out.count === undefined && out.ageMs === undefined ? RETAIN_FORM : out
}

const RELAY_URL = 'MAILFRONT_MAIL_RELAY_URL must be smtp://[user:pass@]host[:port] or smtps://…'

/** The server's own variables, parsed; each message names its variable. */
export const serverEnvSchema = z
  .object({
    MAILFRONT_HOST: z.string().min(1),
    MAILFRONT_PORT: z.coerce
      .number({ message: 'MAILFRONT_PORT must be a port number' })
      .int()
      .min(0)
      .max(65535),
    MAILFRONT_PLUGINS: pluginList,
    MAILFRONT_DATA_DIR: z.string().min(1),
    MAILFRONT_DATABASE_URL: z
      .string()
      .regex(
        /^(sqlite:.+|memory:|postgres(ql)?:\/\/.+|pglite:.*)$/,
        'MAILFRONT_DATABASE_URL must be sqlite:PATH, sqlite::memory:, memory: or postgres://…',
      )
      .optional(),
    MAILFRONT_REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'MAILFRONT_REDIS_URL must be redis://…')
      .optional(),
    MAILFRONT_TLS: z.enum(['self-signed', 'off', 'files'], {
      message: 'MAILFRONT_TLS must be self-signed, off or files',
    }),
    MAILFRONT_TLS_CERT: z.string().optional(),
    MAILFRONT_TLS_KEY: z.string().optional(),
    MAILFRONT_HOSTNAME: commaList(
      'MAILFRONT_HOSTNAME',
      'a comma list of host names',
      (v) =>
        /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(v) ||
        isIP(v) > 0,
    ).optional(),
    MAILFRONT_PROXY_PORT: portOrOff('MAILFRONT_PROXY_PORT'),
    MAILFRONT_DNS_PORT: portOrOff('MAILFRONT_DNS_PORT'),
    MAILFRONT_DNS_ANSWER: commaList(
      'MAILFRONT_DNS_ANSWER',
      'a comma list of IP addresses',
      (v) => isIP(v) > 0,
    ).optional(),
    MAILFRONT_DNS_UPSTREAM: commaList(
      'MAILFRONT_DNS_UPSTREAM',
      'a comma list of resolvers (ip, ip:port or [ipv6]:port)',
      (v) => parseResolver(v) !== undefined,
    ).optional(),
    MAILFRONT_DNS_FORWARD: z.enum(['private', 'any'], {
      message: 'MAILFRONT_DNS_FORWARD must be private or any',
    }),
    MAILFRONT_TRUST_PROXY: z.string().transform((v, c): TrustProxy => {
      const s = v.trim().toLowerCase()
      if (['false', 'no', '0', ''].includes(s)) return false
      if (['true', 'yes'].includes(s)) return 1
      if (/^\d+$/.test(s)) return Math.min(Number(s), 100)
      const list = s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
      try {
        compileTrust(list)
        return list
      } catch (e) {
        c.addIssue({
          code: 'custom',
          message: `MAILFRONT_TRUST_PROXY must be false, true, a hop count or a comma list of proxy addresses/CIDRs (${(e as Error).message})`,
        })
        return z.NEVER
      }
    }),
    MAILFRONT_REQUIRE_HTTPS: bool('MAILFRONT_REQUIRE_HTTPS').optional(),
    MAILFRONT_FIXTURES: z.string().optional(),
    MAILFRONT_DEMO: z.enum(['auto', 'on', 'off'], { message: 'MAILFRONT_DEMO must be auto, on or off' }),
    MAILFRONT_CLOCK: z.enum(['auto', 'system', 'movable'], {
      message: 'MAILFRONT_CLOCK must be auto, system or movable',
    }),
    MAILFRONT_SECRET: z.string().min(32, 'MAILFRONT_SECRET must be at least 32 characters').optional(),
    MAILFRONT_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'MAILFRONT_LOG_LEVEL must be a pino level',
    }),
    MAILFRONT_BODY_LIMIT: z.coerce
      .number({ message: 'MAILFRONT_BODY_LIMIT must be a number of bytes' })
      .int()
      .min(1024),
    MAILFRONT_REQUEST_LOG_SIZE: z.coerce
      .number({ message: 'MAILFRONT_REQUEST_LOG_SIZE must be a number of requests' })
      .int()
      .min(0)
      .max(1_000_000),
    MAILFRONT_HEADERS_TIMEOUT_S: z.coerce
      .number({ message: 'MAILFRONT_HEADERS_TIMEOUT_S must be a number of seconds' })
      .positive()
      .max(3600),
    MAILFRONT_REQUEST_TIMEOUT_S: z.coerce
      .number({ message: 'MAILFRONT_REQUEST_TIMEOUT_S must be a number of seconds' })
      .positive()
      .max(3600),
    MAILFRONT_MAX_CONNECTIONS_PER_ADDRESS: z.coerce
      .number({ message: 'MAILFRONT_MAX_CONNECTIONS_PER_ADDRESS must be a whole number' })
      .int()
      .min(0),
    MAILFRONT_ADMIN: z.enum(ADMIN_MODES, {
      message: 'MAILFRONT_ADMIN must be auto, off or open',
    }),
    MAILFRONT_ADMIN_DEFAULT: z
      .enum(ADMIN_MODES, { message: 'MAILFRONT_ADMIN_DEFAULT must be auto, off or open' })
      .optional(),
    MAILFRONT_ADMIN_TOKEN: z
      .string()
      .min(16, 'MAILFRONT_ADMIN_TOKEN must be at least 16 characters')
      .optional(),
    MAILFRONT_ADMIN_HOSTS: commaList(
      'MAILFRONT_ADMIN_HOSTS',
      'a comma list of host names (*.example.com: the names under one) or IP addresses, without a port',
      (v) =>
        /^(\*\.(?=[^.]+\.[^.]))?(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/.test(
          v,
        ) || isIP(v) > 0,
    ).optional(),
    MAILFRONT_SMTP_PORT: portOrOff('MAILFRONT_SMTP_PORT'),
    MAILFRONT_SMTP_MAX_SIZE: z.coerce
      .number({ message: 'MAILFRONT_SMTP_MAX_SIZE must be a number of bytes' })
      .int('MAILFRONT_SMTP_MAX_SIZE must be a number of bytes')
      .min(1024, 'MAILFRONT_SMTP_MAX_SIZE must be at least 1024'),
    MAILFRONT_SMTP_MAX_CLIENTS: z.coerce
      .number({ message: 'MAILFRONT_SMTP_MAX_CLIENTS must be a whole number' })
      .int('MAILFRONT_SMTP_MAX_CLIENTS must be a whole number')
      .min(1, 'MAILFRONT_SMTP_MAX_CLIENTS must be at least 1'),
    MAILFRONT_MAIL_DELIVERY: z.enum(['capture', 'relay'], {
      message: 'MAILFRONT_MAIL_DELIVERY must be capture or relay',
    }),
    MAILFRONT_MAIL_RELAY_URL: z
      .string()
      .refine((v) => {
        try {
          const u = new URL(v)
          return ['smtp:', 'smtps:'].includes(u.protocol) && !!u.hostname
        } catch {
          return false
        }
      }, RELAY_URL)
      .optional(),
    MAILFRONT_MAIL_RETRY_S: z.coerce
      .number({ message: 'MAILFRONT_MAIL_RETRY_S must be a number of seconds' })
      .min(0.01, 'MAILFRONT_MAIL_RETRY_S must be a positive number of seconds'),
    MAILFRONT_MAIL_MAX_ATTEMPTS: z.coerce
      .number({ message: 'MAILFRONT_MAIL_MAX_ATTEMPTS must be a whole number' })
      .int('MAILFRONT_MAIL_MAX_ATTEMPTS must be a whole number')
      .min(1, 'MAILFRONT_MAIL_MAX_ATTEMPTS must be at least 1'),
    MAILFRONT_MAIL_RETAIN: z
      .string()
      .transform((v, c) => {
        const r = parseRetain(v)
        if (typeof r !== 'string') return r
        c.addIssue({ code: 'custom', message: r })
        return z.NEVER
      })
      .optional(),
    MAILFRONT_MAIL_RELEASE_ALLOW: z
      .string()
      .transform((v) =>
        v
          .split(/[\s,]+/)
          .filter(Boolean)
          .map((x) => x.toLowerCase().replace(/^@/, '')),
      )
      .refine((l) => l.every((x) => /^[^\s@]+(@[^\s@]+\.[^\s@]+)?$/.test(x) && x.includes('.')), {
        message: 'MAILFRONT_MAIL_RELEASE_ALLOW must list domains (example.com) and addresses (a@example.com)',
      })
      .optional(),
    MAILFRONT_MAIL_SIMULATOR_DOMAIN: z
      .string()
      .transform((v) => v.trim().toLowerCase())
      .refine(
        (v) =>
          ['', 'off'].includes(v) ||
          /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(v),
        {
          message: 'MAILFRONT_MAIL_SIMULATOR_DOMAIN must be a domain name (simulator.mailfront.test) or off',
        },
      )
      .transform((v) => (v === '' || v === 'off' ? null : v)),
    MAILFRONT_MAIL_SIMULATOR_SLOW: z.string().transform((v, c) => {
      const ms = (() => {
        try {
          return parseDuration(v)
        } catch {
          return -1
        }
      })()
      if (ms >= 0 && ms <= 600_000) return ms
      c.addIssue({
        code: 'custom',
        message: 'MAILFRONT_MAIL_SIMULATOR_SLOW must be a duration from 0 to 10m (500ms, 5s, 1m)',
      })
      return z.NEVER
    }),
    MAILFRONT_SMTP_AUTH: z.enum(['accounts', 'any'], {
      message: 'MAILFRONT_SMTP_AUTH must be accounts or any',
    }),
    MAILFRONT_WEBHOOK_URL: z
      .string()
      .superRefine((v, c) => {
        const problem = webhookUrlProblem(v)
        if (problem) c.addIssue({ code: 'custom', message: `MAILFRONT_WEBHOOK_URL ${problem}` })
      })
      .optional(),
    MAILFRONT_WEBHOOK_SECRET: z
      .string()
      .superRefine((v, c) => {
        const problem = webhookSecretProblem(v)
        if (problem) c.addIssue({ code: 'custom', message: `MAILFRONT_WEBHOOK_SECRET ${problem}` })
      })
      .optional(),
  })
  .superRefine((c, ctx) => {
    if (c.MAILFRONT_PROXY_PORT !== 'off' && c.MAILFRONT_TLS === 'off')
      ctx.addIssue({
        code: 'custom',
        path: ['MAILFRONT_PROXY_PORT'],
        message:
          'MAILFRONT_PROXY_PORT tunnels to the TLS listener: it needs MAILFRONT_TLS self-signed or files',
      })
    if (c.MAILFRONT_MAIL_DELIVERY === 'relay' && !c.MAILFRONT_MAIL_RELAY_URL)
      ctx.addIssue({
        code: 'custom',
        path: ['MAILFRONT_MAIL_RELAY_URL'],
        message: 'MAILFRONT_MAIL_DELIVERY=relay needs MAILFRONT_MAIL_RELAY_URL',
      })
    // A catcher that accepts anyone must never hand their mail to a real relay.
    if (c.MAILFRONT_SMTP_AUTH === 'any' && c.MAILFRONT_MAIL_DELIVERY === 'relay')
      ctx.addIssue({
        code: 'custom',
        path: ['MAILFRONT_SMTP_AUTH'],
        message:
          'MAILFRONT_SMTP_AUTH=any captures only: it is never allowed with MAILFRONT_MAIL_DELIVERY=relay',
      })
    if (c.MAILFRONT_MAIL_RELEASE_ALLOW?.length && !c.MAILFRONT_MAIL_RELAY_URL)
      ctx.addIssue({
        code: 'custom',
        path: ['MAILFRONT_MAIL_RELEASE_ALLOW'],
        message: 'MAILFRONT_MAIL_RELEASE_ALLOW needs MAILFRONT_MAIL_RELAY_URL (where released mail goes)',
      })
    if (c.MAILFRONT_REQUEST_TIMEOUT_S < c.MAILFRONT_HEADERS_TIMEOUT_S)
      ctx.addIssue({
        code: 'custom',
        path: ['MAILFRONT_REQUEST_TIMEOUT_S'],
        message: 'MAILFRONT_REQUEST_TIMEOUT_S must be at least MAILFRONT_HEADERS_TIMEOUT_S',
      })
    if (c.MAILFRONT_ADMIN !== 'auto' && c.MAILFRONT_ADMIN_TOKEN)
      ctx.addIssue({
        code: 'custom',
        path: ['MAILFRONT_ADMIN'],
        message: `MAILFRONT_ADMIN=${c.MAILFRONT_ADMIN} and MAILFRONT_ADMIN_TOKEN exclude each other: unset one`,
      })
    // Every delivery is signed: a receiver can tell mailfront's calls from anyone else's.
    if (c.MAILFRONT_WEBHOOK_URL && !c.MAILFRONT_WEBHOOK_SECRET)
      ctx.addIssue({
        code: 'custom',
        path: ['MAILFRONT_WEBHOOK_SECRET'],
        message: `MAILFRONT_WEBHOOK_URL needs MAILFRONT_WEBHOOK_SECRET (${WEBHOOK_SECRET_MIN}+ characters): every delivery is signed with it`,
      })
    if (c.MAILFRONT_WEBHOOK_SECRET && !c.MAILFRONT_WEBHOOK_URL)
      ctx.addIssue({
        code: 'custom',
        path: ['MAILFRONT_WEBHOOK_SECRET'],
        message: 'MAILFRONT_WEBHOOK_SECRET is set but MAILFRONT_WEBHOOK_URL is not: set both, or neither',
      })
    if (c.MAILFRONT_TLS === 'files' && (!c.MAILFRONT_TLS_CERT || !c.MAILFRONT_TLS_KEY))
      ctx.addIssue({
        code: 'custom',
        path: ['MAILFRONT_TLS_CERT'],
        message: 'MAILFRONT_TLS=files needs MAILFRONT_TLS_CERT and MAILFRONT_TLS_KEY',
      })
  })

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host)
}
