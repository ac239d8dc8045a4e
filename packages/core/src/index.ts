// The plugin-author API. A host's composition internals are in `@mailfront/core/host`.
export { createRoute, OpenAPIHono, type RouteConfig, z } from '@hono/zod-openapi'
export * from './auth/admin-credential.ts'
export * from './auth/compare.ts'
export * from './auth/headers.ts'
export * from './auth/jwt.ts'
export * from './auth/login-options.ts'
export * from './auth/login-throttle.ts'
export * from './auth/passwords.ts'
export * from './auth/scheme.ts'
export * from './auth/secrets.ts'
export {
  SHA512_CRYPT_ROUNDS,
  sha512Crypt,
  sha512CryptRoundsOf,
  sha512CryptRoundsProblem,
  sha512CryptSalt,
  sha512CryptSync,
  verifySha512Crypt,
} from './auth/sha512crypt.ts'
export { type Clock, createManualClock, type ManualClock, systemClock } from './clock.ts'
export * from './demo.ts'
export * from './errors.ts'
export * from './http/body.ts'
export * from './http/content-headers.ts'
export {
  type Answers,
  type BodyDecoder,
  type Decoders,
  defineRoutes,
  type QueryDecoder,
  type RouteDef,
  type RouteHandlerOf,
  type RouteInput,
  type RouteReply,
  type RoutesOptions,
  undeclaredRoutes,
} from './http/route.ts'
export * from './jsonrpc/dispatch.ts'
export * from './jsonrpc/method.ts'
export * from './jsonrpc/openrpc.ts'
export * from './jsonrpc/protocol.ts'
export * from './mail.ts'
export {
  type OptionDoc,
  OptionsError,
  type OptionsSchema,
  opt,
  optionDocs,
  optionEnvKey,
  optionEnvName,
  optionValuesFromEnv,
  parseOptions,
  withOlderName,
} from './options.ts'
export * from './plugin.ts'
export * from './ratelimit/consume.ts'
export * from './ratelimit/declare.ts'
export * from './ratelimit/memory.ts'
export * from './ratelimit/types.ts'
export { type PluginMount, pluginPath } from './scope.ts'
export * from './serialize/json.ts'
export * from './serialize/xml.ts'
export { assertSmtpLoginFree, type SmtpLoginNamespace, SmtpLoginTaken } from './smtp-logins.ts'
export * from './storage/claim.ts'
export * from './storage/memory.ts'
export * from './storage/scan.ts'
export { modelOf, prepareCreate, prepareSet, uniqueGroups } from './storage/schema.ts'
export * from './storage/types.ts'
export * from './storage/unavailable.ts'
export * from './storage/upsert.ts'
export * from './storage/where.ts'
