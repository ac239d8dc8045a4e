import type { MailfrontPlugin, PluginContext } from '@mailfront/core'
import type { MailPipeline } from '@mailfront/mail'

type Contexts = Map<string, PluginContext>

/** Run each plugin's init, then register the addresses the plugins host (their mailboxes). */
export async function preparePlugins(
  plugins: MailfrontPlugin[],
  contexts: Contexts,
  mail: MailPipeline,
): Promise<void> {
  for (const p of plugins) await p.init?.(contexts.get(p.id)!)
  // Checked at submit, delivered locally.
  for (const p of plugins) {
    const localDelivery = p.mail?.localDelivery
    if (localDelivery) mail.local.add(p.id, localDelivery(contexts.get(p.id)!))
  }
}

/** The plugins' background work (serve only); returns the stops. */
export function startPlugins(plugins: MailfrontPlugin[], contexts: Contexts): (() => Promise<void>)[] {
  return plugins.flatMap((p) => (p.start ? [p.start(contexts.get(p.id)!)] : []))
}

/** Close the plugins in the reverse of their order. */
export async function closePlugins(plugins: MailfrontPlugin[], contexts: Contexts): Promise<void> {
  for (const p of [...plugins].reverse()) await p.close?.(contexts.get(p.id)!)
}
