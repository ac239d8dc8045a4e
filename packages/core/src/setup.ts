import { OptionsError, type OptionsSchema, optionEnvName } from './options.ts'
import type { MailfrontPlugin, OptionsOf, PluginContext, PluginDef } from './plugin.ts'

const prepared = new WeakSet<PluginContext>()

/**
 * A plugin's options as typed values: the given ones (already parsed, e.g. by `parsePluginOptions`
 * from the environment, or typed by a host's code), each missing key its schema's default. No string
 * is parsed again. A key with neither a value nor a default throws `OptionsError`.
 */
export function optionsWithDefaults(plugin: MailfrontPlugin, given: object = {}): Record<string, unknown> {
  if (!plugin.options) return {}
  const out: Record<string, unknown> = { ...given }
  for (const [key, schema] of Object.entries(plugin.options.shape)) {
    if (out[key] !== undefined) continue
    const r = (
      schema as unknown as { safeParse(v: unknown): { success: boolean; data?: unknown } }
    ).safeParse(undefined)
    if (!r.success) throw new OptionsError(`${optionEnvName(plugin.id, key)} is required`)
    if (r.data !== undefined) out[key] = r.data
  }
  return out
}

/**
 * Give a context its plugin's typed options (defaults filled in) and the state its `setup` builds,
 * once. Throws `OptionsError`.
 */
export function preparePlugin<C extends PluginContext, Sch extends OptionsSchema | undefined, S>(
  plugin: PluginDef<Sch, S>,
  ctx: C,
): Prepared<C, Sch, S> {
  if (prepared.has(ctx)) return ctx as unknown as Prepared<C, Sch, S>
  const p = plugin as unknown as MailfrontPlugin
  const out = { ...ctx, options: optionsWithDefaults(p, ctx.options as object), state: undefined } as C
  prepared.add(out)
  if (p.setup) out.state = p.setup(out as never)
  return out as unknown as Prepared<C, Sch, S>
}

/** A context prepared for a plugin: its options and state typed as the plugin's. */
export type Prepared<C, Sch, S> = Omit<C, 'options' | 'state'> & PluginContext<OptionsOf<Sch>, S>
