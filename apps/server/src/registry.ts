import { type MailfrontPlugin, type OptionDoc, optionDocs } from '@mailfront/core'
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
