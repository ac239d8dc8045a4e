import { z } from 'zod'

/**
 * A plugin's options: a zod object whose camelCase keys are read from `MAILFRONT_<ID>_<KEY>`
 * (`adminLogin` is `MAILFRONT_TMAIL_ADMIN_LOGIN`). The schema reads strings (the environment's) and
 * types them, once; each key's `.describe()` is its `--help` line.
 */
export type OptionsSchema = z.ZodObject<z.ZodRawShape>

export class OptionsError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'OptionsError'
  }
}

/** `queueIntervalS` → `QUEUE_INTERVAL_S`. */
export function optionEnvKey(key: string): string {
  return key.replace(/[A-Z]/g, (ch) => `_${ch}`).toUpperCase()
}

export function optionEnvName(pluginId: string, key: string): string {
  return `MAILFRONT_${pluginId.toUpperCase()}_${optionEnvKey(key)}`
}

/** Variables the server reads for every plugin, whatever its schema (mount place). */
export const MOUNT_OPTION_KEYS = ['prefix', 'hostname'] as const

const SECRET = /PASSWORD|SECRET|TOKEN|KEY$/

export interface OptionDoc {
  env: string
  key: string
  description: string
  default?: string
}

function defaultOf(s: z.ZodType): string | undefined {
  const def = (s as unknown as { def: { type: string; defaultValue?: unknown; innerType?: z.ZodType } }).def
  if (def.type === 'default') {
    const v =
      typeof def.defaultValue === 'function' ? (def.defaultValue as () => unknown)() : def.defaultValue
    return v === undefined ? undefined : String(v)
  }
  if (def.innerType) return defaultOf(def.innerType)
  return undefined
}

/** One line per option, for `mailfront --help`, the README table and the docs. */
export function optionDocs(pluginId: string, schema: OptionsSchema | undefined): OptionDoc[] {
  if (!schema) return []
  return Object.entries(schema.shape).map(([key, s]) => {
    const dflt = defaultOf(s as z.ZodType)
    return {
      env: optionEnvName(pluginId, key),
      key,
      description: (s as z.ZodType).description ?? '',
      ...(dflt !== undefined ? { default: dflt } : {}),
    }
  })
}

/**
 * Parse a plugin's options from string values by camelCase key. A bad value throws one line naming
 * the variable and what was given (never the value of a secret).
 */
export function parseOptions<S extends OptionsSchema>(
  pluginId: string,
  schema: S,
  values: Record<string, string | undefined>,
): z.output<S> {
  const r = schema.safeParse(values)
  if (r.success) return r.data
  const issue = r.error.issues[0]!
  const key = issue.path[0]
  if (typeof key !== 'string') throw new OptionsError(issue.message)
  const env = optionEnvName(pluginId, key)
  if (issue.message.startsWith('MAILFRONT_')) throw new OptionsError(issue.message)
  throw new OptionsError(`${env} ${issue.message}${givenText(env, values[key])}`)
}

/**
 * ` (got "…")` for an error message about a variable: nothing for a secret's name, and a URL's
 * credentials (`postgres://user:pass@…`) masked, so a bad value never prints a secret.
 */
export function givenText(name: string, given: string | undefined): string {
  if (given === undefined || SECRET.test(name)) return ''
  return ` (got ${JSON.stringify(given.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@'))})`
}

/**
 * A plugin's typed options from its variables' string values by camelCase key (the environment's, as
 * `optionValuesFromEnv` reads them): the one place a plugin's options are parsed. A plugin without a
 * schema has none. Throws `OptionsError`.
 */
export function parsePluginOptions(
  plugin: { id: string; options?: OptionsSchema },
  values: Record<string, string | undefined>,
): Record<string, unknown> {
  return plugin.options ? parseOptions(plugin.id, plugin.options, values) : {}
}

/** The values of a plugin's variables in an environment, by camelCase key. */
export function optionValuesFromEnv(
  pluginId: string,
  schema: OptionsSchema | undefined,
  env: Record<string, string | undefined>,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {}
  for (const key of Object.keys(schema?.shape ?? {})) {
    const v = env[optionEnvName(pluginId, key)]
    if (v !== undefined) out[key] = v
  }
  return out
}

/** `MAILFRONT_<ID>_*` variables that no plugin's schema (nor the mount place) declares. */
export function unknownPluginVariables(
  plugins: readonly { id: string; options?: OptionsSchema }[],
  env: Record<string, string | undefined>,
): string[] {
  const known = new Set<string>()
  for (const p of plugins) {
    for (const key of Object.keys(p.options?.shape ?? {})) known.add(optionEnvName(p.id, key))
    for (const key of MOUNT_OPTION_KEYS) known.add(optionEnvName(p.id, key))
  }
  const prefixes = plugins.map((p) => `MAILFRONT_${p.id.toUpperCase()}_`)
  return Object.keys(env)
    .filter((k) => prefixes.some((p) => k.startsWith(p)) && !known.has(k))
    .sort()
}

/** Option builders: string input (as from the environment), typed output, a default shown in docs. */
export const opt = {
  /** Optional free text; empty is refused. */
  text: (description: string) => z.string().min(1, 'must not be empty').optional().describe(description),
  /** A whole number ≥ min. */
  whole: (dflt: number, description: string, min = 0) =>
    z
      .string()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .refine((n) => n >= min, `must be a whole number ≥ ${min}`)
      .default(dflt)
      .describe(description),
  /** true/false (also 1/0, yes/no, on/off), in any case. */
  flag: (dflt: boolean, description: string) =>
    z
      .string()
      .transform((v) => v.toLowerCase())
      .pipe(
        z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { message: 'must be true or false' }),
      )
      .transform((v) => ['true', '1', 'yes', 'on'].includes(v))
      .default(dflt)
      .describe(description),
  /** One of a fixed set of words. */
  oneOf: <const T extends readonly [string, ...string[]]>(values: T, dflt: T[number], description: string) =>
    z
      .enum(values, { message: `must be one of ${values.join(', ')}` })
      .default(dflt as never)
      .describe(description),
  /** Optional http(s) base URL (no query or fragment), its trailing slashes dropped. */
  baseUrl: (description: string) =>
    z
      .string()
      .regex(/^https?:\/\/[^/?#]+(\/[^?#]*)?$/, 'must be an http(s) URL')
      .transform((v) => v.replace(/\/+$/, ''))
      .optional()
      .describe(description),
  /**
   * The older name of an option that still works: a whole number ≥ min, no default. Its value counts
   * only when the option it names is left at its default (`withOlderName`).
   */
  olderName: (of: string, min = 0) =>
    z
      .string()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .refine((n) => n >= min, `must be a whole number ≥ ${min}`)
      .optional()
      .describe(`Older name of ${of}, used when that is left at its default`),
  /**
   * An option that was removed: any value stops the start, saying why and what to set instead
   * (`why` follows "is gone", e.g. `(…): set MAILFRONT_X_Y instead`).
   */
  removed: (why: string) =>
    z
      .never({ message: `is gone ${why}` })
      .optional()
      .describe(`Removed ${why}`),
}

/** An option's value, or its older name's when the option is left at its default and the older is set. */
export const withOlderName = <T>(value: T, dflt: T, older: T | undefined): T =>
  value === dflt && older !== undefined ? older : value
