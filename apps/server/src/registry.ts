import {
  describeWindow,
  type MailfrontPlugin,
  type OptionDoc,
  optionDocs,
  optionEnvName,
} from '@mailfront/core'
import { optionsWithDefaults } from '@mailfront/core/host'
import { INSTALLED_PLUGINS } from './plugins.ts'

/**
 * What the server knows of its installed plugins, read from the plugin objects themselves. Each
 * factory is called once here for its description; a runtime gets fresh instances (createPlugin).
 */
let described: MailfrontPlugin[] | undefined

/** One instance of every installed plugin, to read what it declares (never to serve). */
export function installedPlugins(): readonly MailfrontPlugin[] {
  described ??= INSTALLED_PLUGINS.map((make) => make())
  return described
}

/** The ids of the installed plugins, in mount order. */
export function installedIds(): string[] {
  return installedPlugins().map((p) => p.id)
}

/** The plugins mounted when MAILFRONT_PLUGINS is unset: every installed one. */
export function defaultPluginIds(): string[] {
  return installedIds()
}

/** The installed plugin with this id, if any (a described instance: read only). */
export function describedPlugin(id: string): MailfrontPlugin | undefined {
  return installedPlugins().find((p) => p.id === id)
}

/** A fresh instance of an installed plugin, for a runtime. */
export function createPlugin(id: string): MailfrontPlugin {
  const i = installedIds().indexOf(id)
  if (i < 0) throw new Error(`unknown plugin "${id}"`)
  return INSTALLED_PLUGINS[i]!()
}

/** The title of a plugin's CLI group and README rows. */
export function pluginSummary(p: MailfrontPlugin): string {
  return p.summary ?? p.http.docs.title
}

/** A plugin's options as `--help` and the README list them. */
export function pluginOptionDocs(p: MailfrontPlugin): OptionDoc[] {
  return optionDocs(p.id, p.options)
}

/** Plugins that describe JSON-RPC methods (an OpenRPC document each). */
export function hasOpenRpc(p: MailfrontPlugin): boolean {
  return typeof p.http.openrpc === 'function'
}

/** One of a plugin's declared rate limits, as `--help` and the README list it (default options). */
export interface RateLimitDoc {
  name: string
  counts: string
  /** `1 per 20 s`, or `off` when the defaults turn it off. */
  limit: string
  /** The variable that changes it (0 turns it off), if any. */
  env?: string
}

/** A plugin's rate limits (`rateLimits`), each with the window its default options give. */
export function pluginRateLimitDocs(p: MailfrontPlugin): RateLimitDoc[] {
  if (!p.rateLimits?.length) return []
  const defaults = optionsWithDefaults(p)
  return p.rateLimits.map((l) => {
    const w = l.window(defaults)
    return {
      name: l.name,
      counts: l.counts,
      limit: w ? describeWindow(w) : 'off',
      ...(l.option ? { env: optionEnvName(p.id, l.option) } : {}),
    }
  })
}

/** `api-calls: 1 per 20 s, API requests per user id (MAILFRONT_AUTHSMTP_RATE_WINDOW_S; 0: off)`. */
export function rateLimitLine(d: RateLimitDoc): string {
  return `${d.name}: ${d.limit}, ${d.counts}${d.env ? ` (${d.env}; 0: off)` : ' (fixed)'}`
}
