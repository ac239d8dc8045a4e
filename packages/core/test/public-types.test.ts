import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

// The core's declarations as users get them (dist/, built by this project's global setup): what a
// plugin author or a host reads must say what it is, never `any`.
const DIST = join(import.meta.dirname, '../dist')

/** `file:line: text` of every `any` in the emitted .d.ts files, comments and strings aside. */
function anyInDeclarations(): string[] {
  const files = readdirSync(DIST, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.d.ts'))
  expect(files.length).toBeGreaterThan(10)
  return files.flatMap((f) => {
    const text = readFileSync(join(DIST, f), 'utf8')
      // Comments and string literals, kept line for line.
      .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '))
      .replace(/\/\/.*$/gm, '')
      .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, (m) => m.replace(/[^\n]/g, ' '))
    return text
      .split('\n')
      .flatMap((line, i) => (/\bany\b/.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : []))
  })
}

describe("the core's public types", () => {
  it('have no `any` in the emitted declarations', () => {
    expect(anyInDeclarations()).toEqual([])
  })
})

/**
 * The root export, name by name: what a plugin author writes a plugin with (its definition, routes,
 * errors, options, auth, JSON-RPC, serializers, storage contract, mail contract and their tests). A
 * new root name is a deliberate addition to this list; a host's name goes to `@mailfront/core/host`.
 */
const PLUGIN_AUTHOR_API = {
  definition: ['definePlugin', 'defineDemo', 'tryDemo', 'defineFixtures', 'silentLogger', 'pluginPath'],
  routes: ['OpenAPIHono', 'createRoute', 'z', 'defineRoutes', 'undeclaredRoutes', 'readBodyText'],
  headers: ['attachmentDisposition', 'contentSecurityHeaders'],
  errors: ['ApiError', 'CORE_ERRORS', 'CoreErrorCodes', 'defineErrors', 'issuesOf', 'toApiError'],
  outage: ['STORE_RETRY_AFTER_S', 'StoreUnavailableError', 'isStoreUnavailable', 'storeUnavailableApiError'],
  options: [
    'OptionsError',
    'opt',
    'optionDocs',
    'optionEnvKey',
    'optionEnvName',
    'optionValuesFromEnv',
    'parseOptions',
    'withOlderName',
  ],
  auth: [
    'adminCredential',
    'adminCredentialFixture',
    'adminCredentialModel',
    'clientAddressOf',
    'createHs256',
    'defineAuthScheme',
    'encodeBasic',
    'parseBasic',
    'parseBearer',
    'passwordAuth',
    'randomHex',
    'randomSecret',
    'safeEqual',
    'sha256Hex',
  ],
  passwords: [
    'BCRYPT_COST',
    'BCRYPT_COSTS',
    'PasswordHashError',
    'SHA512_CRYPT_ROUNDS',
    'boundedPasswordHash',
    'hashBcrypt',
    'hashPassword',
    'isPasswordHash',
    'passwordHashProblem',
    'sha512Crypt',
    'sha512CryptRoundsOf',
    'sha512CryptRoundsProblem',
    'sha512CryptSalt',
    'sha512CryptSync',
    'storedPasswordHash',
    'verifyPassword',
    'verifySha512Crypt',
  ],
  loginThrottle: [
    'DEFAULT_LOGIN_LIMITS',
    'LOGIN_STATE_MAX_TTL_MS',
    'LOGIN_THROTTLE_OPTIONS',
    'LoginThrottle',
    'loginLimitsOf',
    'loginThrottleLimitsFrom',
    'loginThrottleOptions',
  ],
  rateLimits: [
    'consumeCall',
    'defineRateLimit',
    'describeWindow',
    'memoryRateLimitStore',
    'retryAfterSeconds',
  ],
  clock: ['createManualClock', 'systemClock'],
  jsonRpc: [
    'RPC_CODES',
    'RpcError',
    'createRpcDispatcher',
    'defineMethod',
    'handleRpc',
    'methodDefiner',
    'methodTable',
    'openrpcDocument',
    'parseRpcRequest',
    'rpcErrorAnswer',
    'rpcErrorBody',
  ],
  serializers: [
    'XML_DECLARATION',
    'buildXml',
    'escapeXmlText',
    'parseJson',
    'parseXml',
    'prepareXml',
    'stringifyJson',
    'xmlSlot',
  ],
  storage: [
    'AmbiguousMatchError',
    'UniqueViolationError',
    'UnknownModelError',
    'assertWhere',
    'claimLease',
    'compareRows',
    'fieldDef',
    'fieldNames',
    'isLeaf',
    'matches',
    'memoryAdapter',
    'modelOf',
    'prepareCreate',
    'prepareSet',
    'scanRows',
    'selectedFields',
    'uniqueGroups',
    'upsertOne',
  ],
  mail: ['MailRejection', 'SmtpLoginTaken', 'assertSmtpLoginFree'],
}

describe("the core's two faces", () => {
  const HOST_ONLY = [
    'preparePlugin',
    'assertNoCollisions',
    'hostRouting',
    'withRowCache',
    'redisRateLimitStore',
    'buildPluginApp',
    'routePluginApp',
    'validatePlugins',
    'aroundStorageMethods',
    'mountPlugin',
    'faultLatency',
    'parsePluginOptions',
    'unknownPluginVariables',
    'MOUNT_OPTION_KEYS',
    'SmtpLogins',
    'createMovableClock',
    'sleepUntil',
    'closeSha512CryptPool',
    'markCoreHandler',
    'sealRoutes',
    'assertModelNames',
  ]

  it('the root export is the plugin-author API; host internals are in @mailfront/core/host', async () => {
    const root = await import('@mailfront/core')
    const host = await import('@mailfront/core/host')
    for (const name of HOST_ONLY) {
      expect(root, name).not.toHaveProperty(name)
      expect(host, name).toHaveProperty(name)
    }
  })

  it("lists each of the root export's names as plugin-author API", async () => {
    const root = await import('@mailfront/core')
    const api = Object.values(PLUGIN_AUTHOR_API).flat()
    expect(new Set(api).size, 'a name listed twice').toBe(api.length)
    expect(Object.keys(root).sort()).toEqual(api.sort())
  })

  it('no plugin imports the host face', () => {
    const packages = join(import.meta.dirname, '../..')
    const plugins = readdirSync(packages).filter((d) => d.startsWith('plugin-'))
    expect(plugins.length).toBeGreaterThan(4)
    for (const p of plugins) {
      const src = join(packages, p, 'src')
      for (const f of readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) =>
        f.endsWith('.ts'),
      ))
        expect(readFileSync(join(src, f), 'utf8'), `${p}/src/${f}`).not.toContain('@mailfront/core/host')
    }
  })
})
