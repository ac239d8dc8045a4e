import {
  loginThrottleOptions,
  type MailfrontPlugin,
  OptionsError,
  optionEnvKey,
  optionEnvName,
  optionValuesFromEnv,
} from '@mailfront/core'
import { MOUNT_OPTION_KEYS, parsePluginOptions, unknownPluginVariables } from '@mailfront/core/host'
import { z } from 'zod'
import { describedPlugin, installedIds, installedPlugins } from './registry.ts'

/** MAILFRONT_PLUGINS: a comma list of installed plugin ids. */
export const pluginList = z.string().transform((s, c) => {
  const ids = s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
  for (const id of ids)
    if (!describedPlugin(id))
      c.addIssue({ code: 'custom', message: `unknown plugin "${id}" (known: ${installedIds().join(', ')})` })
  if (!ids.length) c.addIssue({ code: 'custom', message: 'no plugin selected' })
  return ids
})

export interface PluginSettings {
  /** MAILFRONT_<PLUGIN>_<OPTION> values parsed by the plugin's schema, once: typed, by plugin id then camelCase key. */
  pluginOptions: Record<string, Record<string, unknown>>
  prefixes: Record<string, string>
  hostnames: Record<string, string>
}

/** The mount place (prefix, hostname) and the options of every selected plugin; a bad one throws one line. */
export function readPluginSettings(
  ids: string[],
  env: Record<string, string | undefined>,
  fail: (message: string) => Error,
): PluginSettings {
  const out: PluginSettings = { pluginOptions: {}, prefixes: {}, hostnames: {} }
  for (const id of ids) {
    const plugin = describedPlugin(id)!
    const prefix = env[optionEnvName(id, 'prefix')]
    if (prefix) {
      if (!/^\/[A-Za-z0-9._~\-/]*[^/]$/.test(prefix))
        throw fail(`${optionEnvName(id, 'prefix')} must be a path like /${id} (got "${prefix}")`)
      out.prefixes[id] = prefix
    }
    const host = env[optionEnvName(id, 'hostname')]
    if (host !== undefined) {
      if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(host))
        throw fail(`${optionEnvName(id, 'hostname')} must be a host name (got "${host}")`)
      out.hostnames[id] = host.toLowerCase()
    }
    out.pluginOptions[id] = typedOptions(plugin, env, fail)
  }
  return out
}

/** The plugin's variables parsed by its schema, here and only here. */
function typedOptions(
  plugin: MailfrontPlugin,
  env: Record<string, string | undefined>,
  fail: (message: string) => Error,
): Record<string, unknown> {
  try {
    return parsePluginOptions(plugin, optionValuesFromEnv(plugin.id, plugin.options, env))
  } catch (e) {
    if (e instanceof OptionsError) throw fail(e.message)
    throw e
  }
}

/**
 * MAILFRONT_* variables nothing reads: not the server's (`serverNames`), not declared by an installed
 * plugin's options schema (nor its mount place). Worth a warning: usually a typo.
 */
export function unknownVariables(
  serverNames: readonly string[],
  env: Record<string, string | undefined>,
): string[] {
  const plugins = installedPlugins()
  const known = new Set(serverNames)
  // The SMTP port's login throttle: the core's options under MAILFRONT_SMTP_.
  for (const key of Object.keys(loginThrottleOptions)) known.add(`MAILFRONT_SMTP_${optionEnvKey(key)}`)
  const owned = plugins.map((p) => `MAILFRONT_${p.id.toUpperCase()}_`)
  const badPluginVars = new Set(unknownPluginVariables(plugins, env))
  return Object.keys(env)
    .filter(
      (k) =>
        k.startsWith('MAILFRONT_') &&
        // The test suites' own variables, not the server's.
        !k.startsWith('MAILFRONT_TEST_') &&
        !known.has(k) &&
        (badPluginVars.has(k) || !owned.some((p) => k.startsWith(p))),
    )
    .sort()
}

/** The edit distance of two names (insertions, deletions, substitutions, adjacent swaps). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)] as number[])
  for (let j = 1; j <= b.length; j++) d[0]![j] = j
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1)
    }
  return d[a.length]![b.length]!
}

/** The known variable an unknown one was probably meant to be (two edits at most), or undefined. */
export function suggestVariable(name: string, serverNames: readonly string[]): string | undefined {
  const known = new Set(serverNames)
  for (const key of Object.keys(loginThrottleOptions)) known.add(`MAILFRONT_SMTP_${optionEnvKey(key)}`)
  for (const p of installedPlugins()) {
    for (const key of MOUNT_OPTION_KEYS) known.add(optionEnvName(p.id, key))
    for (const key of Object.keys(p.options?.shape ?? {})) known.add(optionEnvName(p.id, key))
  }
  let best: string | undefined
  let bestD = 3
  for (const k of known) {
    const d = distance(name, k)
    if (d < bestD) {
      best = k
      bestD = d
    }
  }
  return best
}
