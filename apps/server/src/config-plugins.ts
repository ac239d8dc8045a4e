import {
  loginThrottleOptions,
  type MailfrontPlugin,
  OptionsError,
  optionEnvKey,
  optionEnvName,
  optionValuesFromEnv,
  parsePluginOptions,
  unknownPluginVariables,
} from '@mailfront/core'
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
