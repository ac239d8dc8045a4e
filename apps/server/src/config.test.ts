import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.ts'

describe('configuration', () => {
  it('has the spec defaults', () => {
    const c = loadConfig({})
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      tls: { mode: 'self-signed' },
      trustProxy: false,
      requireHttps: true,
      demo: 'auto',
      logLevel: 'info',
      bodyLimit: 1048576,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      maxConnectionsPerAddress: 256,
    })
    expect(c.databaseUrl).toMatch(/^sqlite:.*\/data\/mailfront\.db$/)
    expect(c.plugins).toContain('authsmtp')
  })
  it('reads the client-hostname settings: proxy and DNS off by default', () => {
    expect(loadConfig({})).toMatchObject({
      extraHostnames: [],
      proxyPort: 'off',
      dns: { port: 'off', forward: 'private' },
    })
    expect(
      loadConfig({
        MAILFRONT_HOSTNAME: 'Mailfront, mailfront.test',
        MAILFRONT_PROXY_PORT: '0',
        MAILFRONT_DNS_PORT: '5353',
        MAILFRONT_DNS_ANSWER: '10.0.0.5,::1',
        MAILFRONT_DNS_UPSTREAM: '1.1.1.1,[2606:4700::1111]:53,10.0.0.1:5353',
      }),
    ).toMatchObject({
      extraHostnames: ['mailfront', 'mailfront.test'],
      proxyPort: 0,
      dns: {
        port: 5353,
        answer: ['10.0.0.5', '::1'],
        upstream: ['1.1.1.1', '[2606:4700::1111]:53', '10.0.0.1:5353'],
      },
    })
  })
  it('lets flags override the environment', () => {
    expect(loadConfig({ MAILFRONT_PORT: '1' }, { MAILFRONT_PORT: '2' }).port).toBe(2)
  })
  // The image sets MAILFRONT_ADMIN_DEFAULT=open: a default, never the user's explicit choice.
  describe('MAILFRONT_ADMIN_DEFAULT (the container image sets open)', () => {
    const TOKEN = 't'.repeat(24)
    const IMAGE = { MAILFRONT_HOST: '0.0.0.0', MAILFRONT_ADMIN_DEFAULT: 'open' }
    const admin = (env: NodeJS.ProcessEnv, flags = {}) => {
      const c = loadConfig(env, flags)
      return { admin: c.admin, token: c.adminToken }
    }
    it('is the mode while neither MAILFRONT_ADMIN nor a token is given', () => {
      expect(admin(IMAGE)).toEqual({ admin: 'open', token: undefined })
      expect(admin({ MAILFRONT_ADMIN_DEFAULT: 'off' })).toEqual({ admin: 'off', token: undefined })
      expect(admin({})).toEqual({ admin: 'auto', token: undefined })
    })
    it('gives way to a token (environment or flag): the token is then required', () => {
      expect(admin({ ...IMAGE, MAILFRONT_ADMIN_TOKEN: TOKEN })).toEqual({ admin: 'auto', token: TOKEN })
      expect(admin(IMAGE, { MAILFRONT_ADMIN_TOKEN: TOKEN })).toEqual({ admin: 'auto', token: TOKEN })
      // A token too short is refused as ever, not swallowed by the default.
      expect(() => loadConfig({ ...IMAGE, MAILFRONT_ADMIN_TOKEN: 'short' })).toThrow(
        /^MAILFRONT_ADMIN_TOKEN must be at least 16 characters/,
      )
    })
    it('gives way to MAILFRONT_ADMIN (environment or flag)', () => {
      expect(admin({ ...IMAGE, MAILFRONT_ADMIN: 'off' })).toEqual({ admin: 'off', token: undefined })
      expect(admin(IMAGE, { MAILFRONT_ADMIN: 'off' })).toEqual({ admin: 'off', token: undefined })
      expect(admin({ ...IMAGE, MAILFRONT_ADMIN: 'auto', MAILFRONT_ADMIN_TOKEN: TOKEN })).toEqual({
        admin: 'auto',
        token: TOKEN,
      })
    })
    it('leaves an explicit MAILFRONT_ADMIN=open or off with a token an error', () => {
      for (const mode of ['open', 'off'])
        expect(() => loadConfig({ ...IMAGE, MAILFRONT_ADMIN: mode, MAILFRONT_ADMIN_TOKEN: TOKEN })).toThrow(
          new ConfigError(
            `MAILFRONT_ADMIN=${mode} and MAILFRONT_ADMIN_TOKEN exclude each other: unset one (got "${mode}")`,
          ),
        )
      expect(() => loadConfig(IMAGE, { MAILFRONT_ADMIN: 'open', MAILFRONT_ADMIN_TOKEN: TOKEN })).toThrow(
        /^MAILFRONT_ADMIN=open and MAILFRONT_ADMIN_TOKEN exclude each other/,
      )
    })
    it('is told apart from an explicit MAILFRONT_ADMIN (for the open-mode warning)', () => {
      expect(loadConfig(IMAGE).adminDefaulted).toBe(true)
      expect(loadConfig({ ...IMAGE, MAILFRONT_ADMIN: 'open' }).adminDefaulted).toBe(false)
      expect(loadConfig(IMAGE, { MAILFRONT_ADMIN: 'open' }).adminDefaulted).toBe(false)
      expect(loadConfig({ ...IMAGE, MAILFRONT_ADMIN_TOKEN: TOKEN }).adminDefaulted).toBe(false)
      expect(loadConfig({ MAILFRONT_ADMIN: 'open', MAILFRONT_HOST: '0.0.0.0' }).adminDefaulted).toBe(false)
      expect(loadConfig({}).adminDefaulted).toBe(false)
    })
    it('is checked as MAILFRONT_ADMIN is', () => {
      expect(() => loadConfig({ MAILFRONT_ADMIN_DEFAULT: 'wide' })).toThrow(
        new ConfigError('MAILFRONT_ADMIN_DEFAULT must be auto, off or open (got "wide")'),
      )
    })
  })
  it.each([
    [{ MAILFRONT_PORT: 'eighty' }, /^MAILFRONT_PORT/],
    [{ MAILFRONT_PORT: '70000' }, /^MAILFRONT_PORT/],
    [{ MAILFRONT_TLS: 'maybe' }, /^MAILFRONT_TLS must be self-signed, off or files/],
    [{ MAILFRONT_TLS: 'files' }, /MAILFRONT_TLS=files needs MAILFRONT_TLS_CERT and MAILFRONT_TLS_KEY/],
    [{ MAILFRONT_PLUGINS: 'authsmtp,nope' }, /unknown plugin "nope"/],
    [{ MAILFRONT_DATABASE_URL: 'mysql://x' }, /^MAILFRONT_DATABASE_URL must be/],
    // A URL's login is never printed back.
    [{ MAILFRONT_DATABASE_URL: 'mysql://app:hunter2@db/x' }, /\(got "mysql:\/\/\*\*\*@db\/x"\)$/],
    [
      { MAILFRONT_TRUST_PROXY: 'perhaps' },
      /^MAILFRONT_TRUST_PROXY must be false, true, a hop count.*perhaps/,
    ],
    [{ MAILFRONT_TRUST_PROXY: '10.0.0.0/33' }, /^MAILFRONT_TRUST_PROXY must be/],
    [{ MAILFRONT_DEMO: 'x' }, /^MAILFRONT_DEMO/],
    [
      { MAILFRONT_PROXY_PORT: '8443', MAILFRONT_TLS: 'off' },
      /^MAILFRONT_PROXY_PORT tunnels to the TLS listener: it needs MAILFRONT_TLS self-signed or files/,
    ],
    [{ MAILFRONT_PROXY_PORT: 'yes' }, /^MAILFRONT_PROXY_PORT must be a port number or off/],
    [{ MAILFRONT_DNS_PORT: '-1' }, /^MAILFRONT_DNS_PORT must be a port number or off/],
    [
      { MAILFRONT_DNS_ANSWER: '127.0.0.1,host' },
      /^MAILFRONT_DNS_ANSWER must be a comma list of IP addresses \("host" is not\)/,
    ],
    [
      { MAILFRONT_DNS_UPSTREAM: '1.1.1.1:99999' },
      /^MAILFRONT_DNS_UPSTREAM must be a comma list of resolvers/,
    ],
    [{ MAILFRONT_DNS_FORWARD: 'all' }, /^MAILFRONT_DNS_FORWARD must be private or any \(got "all"\)$/],
    [
      { MAILFRONT_HOSTNAME: 'ok.test,not_ok' },
      /^MAILFRONT_HOSTNAME must be a comma list of host names \("not_ok" is not\)/,
    ],
    [{ MAILFRONT_MAX_CONNECTIONS_PER_ADDRESS: '-1' }, /^MAILFRONT_MAX_CONNECTIONS_PER_ADDRESS/],
    [{ MAILFRONT_HEADERS_TIMEOUT_S: 'soon' }, /^MAILFRONT_HEADERS_TIMEOUT_S must be a number of seconds/],
    [
      { MAILFRONT_HEADERS_TIMEOUT_S: '20', MAILFRONT_REQUEST_TIMEOUT_S: '10' },
      /^MAILFRONT_REQUEST_TIMEOUT_S must be at least MAILFRONT_HEADERS_TIMEOUT_S/,
    ],
    [{ MAILFRONT_SECRET: 'short' }, /^MAILFRONT_SECRET must be at least 32 characters$/],
    [{ MAILFRONT_AUTHSMTP_PREFIX: 'nope' }, /^MAILFRONT_AUTHSMTP_PREFIX must be a path/],
    [{ MAILFRONT_SMTP_PORT: 'on' }, /^MAILFRONT_SMTP_PORT must be a port number or off \(got "on"\)$/],
    [{ MAILFRONT_SMTP_PORT: '65536' }, /^MAILFRONT_SMTP_PORT must be a port number or off/],
    [{ MAILFRONT_SMTP_MAX_SIZE: '10' }, /^MAILFRONT_SMTP_MAX_SIZE must be at least 1024/],
    [{ MAILFRONT_SMTP_MAX_CLIENTS: '0' }, /^MAILFRONT_SMTP_MAX_CLIENTS must be at least 1/],
    [{ MAILFRONT_MAIL_DELIVERY: 'send' }, /^MAILFRONT_MAIL_DELIVERY must be capture or relay/],
    [{ MAILFRONT_MAIL_DELIVERY: 'relay' }, /MAILFRONT_MAIL_DELIVERY=relay needs MAILFRONT_MAIL_RELAY_URL$/],
    [{ MAILFRONT_MAIL_RELAY_URL: 'http://x' }, /^MAILFRONT_MAIL_RELAY_URL must be smtp:/],
    [{ MAILFRONT_MAIL_MAX_ATTEMPTS: '0' }, /^MAILFRONT_MAIL_MAX_ATTEMPTS must be at least 1/],
    [
      { MAILFRONT_MAIL_SIMULATOR_DOMAIN: 'not a domain' },
      /^MAILFRONT_MAIL_SIMULATOR_DOMAIN must be a domain name/,
    ],
    [
      { MAILFRONT_MAIL_SIMULATOR_DOMAIN: 'a@b.test' },
      /^MAILFRONT_MAIL_SIMULATOR_DOMAIN must be a domain name/,
    ],
    [
      { MAILFRONT_MAIL_SIMULATOR_DOMAIN: '-x.test' },
      /^MAILFRONT_MAIL_SIMULATOR_DOMAIN must be a domain name/,
    ],
    [
      { MAILFRONT_MAIL_SIMULATOR_DOMAIN: 'x-.test' },
      /^MAILFRONT_MAIL_SIMULATOR_DOMAIN must be a domain name/,
    ],
    // A bare number is refused (it would read as milliseconds where seconds were meant).
    [
      { MAILFRONT_MAIL_SIMULATOR_SLOW: '5' },
      /^MAILFRONT_MAIL_SIMULATOR_SLOW must be a duration from 0 to 10m/,
    ],
    [
      { MAILFRONT_MAIL_SIMULATOR_SLOW: 'soon' },
      /^MAILFRONT_MAIL_SIMULATOR_SLOW must be a duration from 0 to 10m/,
    ],
    [
      { MAILFRONT_MAIL_SIMULATOR_SLOW: '11m' },
      /^MAILFRONT_MAIL_SIMULATOR_SLOW must be a duration from 0 to 10m/,
    ],
    [
      { MAILFRONT_MAIL_SIMULATOR_SLOW: '-1s' },
      /^MAILFRONT_MAIL_SIMULATOR_SLOW must be a duration from 0 to 10m/,
    ],
    [{ MAILFRONT_SMTP_LOGIN_FAILURES: 'many' }, /^MAILFRONT_SMTP_LOGIN_FAILURES must be a whole number/],
    // A selected plugin's options are checked by its schema at start.
    [
      { MAILFRONT_TMAIL_QUEUE_INTERVAL_S: 'soon' },
      /^MAILFRONT_TMAIL_QUEUE_INTERVAL_S must be a whole number \(got "soon"\)$/,
    ],
    [{ MAILFRONT_AUTHSMTP_CHALLENGE: 'maybe' }, /^MAILFRONT_AUTHSMTP_CHALLENGE must be true or false/],
    [{ MAILFRONT_TMAIL_HOSTNAME: 'a b' }, /^MAILFRONT_TMAIL_HOSTNAME must be a host name/],
    [
      { MAILFRONT_WEBHOOK_URL: 'ftp://hooks.example.com/x', MAILFRONT_WEBHOOK_SECRET: 's'.repeat(16) },
      /^MAILFRONT_WEBHOOK_URL must be an http:\/\/ or https:\/\/ URL \(got "ftp:\/\/hooks.example.com\/x"\)$/,
    ],
    [
      { MAILFRONT_WEBHOOK_URL: 'hooks.example.com', MAILFRONT_WEBHOOK_SECRET: 's'.repeat(16) },
      /^MAILFRONT_WEBHOOK_URL must be an absolute http:\/\/ or https:\/\/ URL/,
    ],
    [
      { MAILFRONT_WEBHOOK_URL: 'https://u:pw@hooks.example.com/', MAILFRONT_WEBHOOK_SECRET: 's'.repeat(16) },
      /^MAILFRONT_WEBHOOK_URL must not carry a user or password/,
    ],
    [
      { MAILFRONT_WEBHOOK_URL: 'https://hooks.example.com/' },
      /^MAILFRONT_WEBHOOK_URL needs MAILFRONT_WEBHOOK_SECRET \(16\+ characters\): every delivery is signed with it$/,
    ],
    [
      { MAILFRONT_WEBHOOK_URL: 'https://hooks.example.com/', MAILFRONT_WEBHOOK_SECRET: 'too-short' },
      /^MAILFRONT_WEBHOOK_SECRET must be at least 16 characters$/,
    ],
    [
      { MAILFRONT_WEBHOOK_SECRET: 's'.repeat(16) },
      /^MAILFRONT_WEBHOOK_SECRET is set but MAILFRONT_WEBHOOK_URL is not: set both, or neither$/,
    ],
  ])('rejects %j with one line naming the variable', (env, msg) => {
    expect(() => loadConfig(env)).toThrow(ConfigError)
    expect(() => loadConfig(env)).toThrow(msg)
  })
  it.each([
    ['false', false],
    ['0', false],
    ['true', 1],
    ['yes', 1],
    ['2', 2],
    ['10.0.0.1, 192.168.0.0/16,loopback', ['10.0.0.1', '192.168.0.0/16', 'loopback']],
  ])('reads MAILFRONT_TRUST_PROXY=%j as %j', (v, want) => {
    expect(loadConfig({ MAILFRONT_TRUST_PROXY: v }).trustProxy).toEqual(want)
  })
  it('never echoes a secret back', () => {
    expect(() => loadConfig({ MAILFRONT_SECRET: 'short-secret' })).not.toThrow(/short-secret/)
    expect(() => loadConfig({ MAILFRONT_MAIL_RELAY_URL: 'ftp://u:hunter2@x' })).not.toThrow(/hunter2/)
    expect(() =>
      loadConfig({ MAILFRONT_WEBHOOK_URL: 'https://h.test/', MAILFRONT_WEBHOOK_SECRET: 'hunter2-short' }),
    ).not.toThrow(/hunter2/)
    expect(() => loadConfig({ MAILFRONT_WEBHOOK_URL: 'https://u:hunter2@h.test/' })).not.toThrow(/hunter2/)
  })
  it('reads the webhook settings, both or neither', () => {
    expect(loadConfig({}).webhook).toBeUndefined()
    expect(
      loadConfig({
        MAILFRONT_WEBHOOK_URL: 'http://127.0.0.1:9/hook',
        MAILFRONT_WEBHOOK_SECRET: 'x'.repeat(16),
      }).webhook,
    ).toEqual({ url: 'http://127.0.0.1:9/hook', secret: 'x'.repeat(16) })
  })
  it('reads the simulator settings: on at simulator.mailfront.test, off with off or empty', () => {
    expect(loadConfig({}).mail).toMatchObject({
      simulatorDomain: 'simulator.mailfront.test',
      simulatorSlowMs: 5000,
    })
    expect(loadConfig({ MAILFRONT_MAIL_SIMULATOR_DOMAIN: 'off' }).mail.simulatorDomain).toBeNull()
    expect(loadConfig({ MAILFRONT_MAIL_SIMULATOR_DOMAIN: '' }).mail.simulatorDomain).toBeNull()
    expect(
      loadConfig({
        MAILFRONT_MAIL_SIMULATOR_DOMAIN: ' Sim.Example.TEST ',
        MAILFRONT_MAIL_SIMULATOR_SLOW: '1m30s',
      }).mail,
    ).toMatchObject({ simulatorDomain: 'sim.example.test', simulatorSlowMs: 90_000 })
    expect(loadConfig({ MAILFRONT_MAIL_SIMULATOR_SLOW: '0' }).mail.simulatorSlowMs).toBe(0)
  })
  it('reads the mail settings', () => {
    expect(loadConfig({})).toMatchObject({
      smtp: { port: 2525, maxSize: 26214400, maxClients: 10 },
      mail: { delivery: 'capture', retryS: 60, maxAttempts: 10 },
    })
    const c = loadConfig({
      MAILFRONT_SMTP_PORT: 'off',
      MAILFRONT_MAIL_DELIVERY: 'relay',
      MAILFRONT_MAIL_RELAY_URL: 'smtps://u:p@relay.example:465',
    })
    expect(c.smtp.port).toBe('off')
    expect(c.mail).toMatchObject({ delivery: 'relay', relayUrl: 'smtps://u:p@relay.example:465' })
    expect(loadConfig({ MAILFRONT_SMTP_PORT: '0' }).smtp.port).toBe(0)
    expect(loadConfig({ MAILFRONT_SMTP_LOGIN_FAILURES: '3' }).smtp.login.perLoginAndAddress).toBe(3)
  })
  it('collects plugin options, prefixes and hostnames', () => {
    const c = loadConfig({
      MAILFRONT_AUTHSMTP_CHALLENGE: 'true',
      MAILFRONT_AUTHSMTP_PREFIX: '/a',
      MAILFRONT_TMAIL_HOSTNAME: 'Tmail.Test',
    })
    // Parsed once, here: typed values with the defaults filled in.
    expect(c.pluginOptions.authsmtp).toMatchObject({ challenge: true, rateWindowS: 20, loginFailures: 10 })
    expect(c.prefixes).toEqual({ authsmtp: '/a' })
    expect(c.hostnames).toEqual({ tmail: 'tmail.test' })
  })

  it("checks only the selected plugins' options", () => {
    const env = { MAILFRONT_PLUGINS: 'authsmtp', MAILFRONT_TMAIL_QUEUE_INTERVAL_S: 'soon' }
    expect(Object.keys(loadConfig(env).pluginOptions)).toEqual(['authsmtp'])
  })
  it('names the MAILFRONT_* variables that nothing reads, and only those', () => {
    const c = loadConfig({
      MAILFRONT_PROT: '1',
      MAILFRONT_TMAIL_QUEUE_INTERVL_S: '1',
      MAILFRONT_PORT: '1',
      MAILFRONT_SMTP_LOGIN_CEILING: '5',
      MAILFRONT_TMAIL_PREFIX: '/t',
      MAILFRONT_TMAIL_QUEUE_INTERVAL_S: '1',
      MAILFRONT_TEST_PG_URL: 'postgres://x',
      HOME: '/root',
    })
    expect(c.unknownVariables).toEqual(['MAILFRONT_PROT', 'MAILFRONT_TMAIL_QUEUE_INTERVL_S'])
    // Another installed plugin's variables are known even when it is not selected.
    expect(
      loadConfig({ MAILFRONT_PLUGINS: 'tmail', MAILFRONT_AUTHSMTP_CHALLENGE: 'true' }).unknownVariables,
    ).toEqual([])
  })
})
