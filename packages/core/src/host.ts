/**
 * `@mailfront/core/host`: what a host (mailfront's server, or another composer) needs to compose
 * plugins: checks, building and routing a plugin's app, preparing its context, Host routing, and
 * the host's stores (the Redis rate-limit store, the principal row cache, storage wrappers). A
 * plugin imports none of this: its API is `@mailfront/core`.
 */
export { closeSha512CryptPool } from './auth/sha512crypt.ts'
export { backoffDelay } from './backoff.ts'
export { createMovableClock, type MovableClock, parseDuration, sleepUntil } from './clock.ts'
export * from './compose.ts'
export { faultLatency } from './fault-latency.ts'
export { markCoreHandler, sealRoutes } from './http/route.ts'
// `mountPlugin` is a host's one call to serve a plugin in any Hono app.
export * from './mount.ts'
export { givenText, MOUNT_OPTION_KEYS, parsePluginOptions, unknownPluginVariables } from './options.ts'
export * from './ratelimit/redis.ts'
export * from './ratelimit/storage.ts'
export {
  type HostApp,
  hostBase,
  hostRouting,
  namespacePatterns,
  requestPath,
  routeTemplate,
  useOnPaths,
} from './scope.ts'
export * from './setup.ts'
export { type SmtpLoginSource, SmtpLogins } from './smtp-logins.ts'
export * from './storage/row-cache.ts'
export { assertModelNames } from './storage/schema.ts'
export * from './storage/wrap.ts'
