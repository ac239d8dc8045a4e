import { optionEnvKey, parseOptions } from './options.ts'
import type { MailfrontPlugin, PluginContext } from './plugin.ts'

const prepared = new WeakSet<PluginContext>()

/** `admin_login` or `adminLogin` → `adminLogin`. */
const camel = (k: string) => k.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase())

/** Values as strings by camelCase key, as the schema reads them from the environment. */
export function optionStrings(values: Record<string, unknown> = {}): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {}
  for (const [k, v] of Object.entries(values)) out[camel(k)] = v === undefined ? undefined : String(v)
  return out
}

/**
 * Give a context its plugin's parsed options and the state its `setup` builds, once. `ctx.options`
 * holds the raw values (strings or typed, camelCase or snake_case keys). Throws `OptionsError`.
 */
export function preparePlugin<C extends PluginContext>(plugin: MailfrontPlugin, ctx: C): C {
  if (prepared.has(ctx)) return ctx
  const raw = optionStrings(ctx.options as Record<string, unknown>)
  let options: unknown
  if (plugin.options) options = parseOptions(plugin.id, plugin.options, raw)
  else {
    // A plugin without a schema reads its variables by lower-case snake_case name.
    const legacy: Record<string, string | undefined> = {}
    for (const [k, v] of Object.entries(raw)) legacy[optionEnvKey(k).toLowerCase()] = v
    options = legacy
  }
  const out = { ...ctx, options, state: undefined } as C
  prepared.add(out)
  if (plugin.setup) out.state = plugin.setup(out as never)
  return out
}
