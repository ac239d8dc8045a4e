import type { MailfrontPlugin } from '@mailfront/core'
import { CompositionError } from '@mailfront/core/host'

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/

/**
 * The providers' public hostnames of these plugins (`api.example.com` → example), each checked: a lower-case
 * DNS name, declared by one plugin only, and not another plugin's MAILFRONT_<PLUGIN>_HOSTNAME.
 */
export function publicHostnames(
  plugins: readonly MailfrontPlugin[],
  configured: Record<string, string> = {},
): Map<string, string> {
  const out = new Map<string, string>()
  for (const p of plugins)
    for (const h of p.http.hostnames ?? []) {
      if (!HOSTNAME.test(h))
        throw new CompositionError(`plugin "${p.id}" hostname "${h}" must be a lower-case DNS name`)
      const other =
        out.get(h) ?? Object.keys(configured).find((id) => id !== p.id && bare(configured[id]!) === h)
      if (other) throw new CompositionError(`hostname ${h} claimed by plugins "${other}" and "${p.id}"`)
      out.set(h, p.id)
    }
  return out
}

const bare = (host: string) => host.replace(/:\d+$/, '')

/**
 * Every name a client may use to reach these plugins: their public hostnames and the configured
 * MAILFRONT_<PLUGIN>_HOSTNAMEs (without a port). What the HTTPS proxy tunnels and the DNS responder answers.
 */
export function clientHostnames(
  plugins: readonly MailfrontPlugin[],
  configured: Record<string, string>,
): string[] {
  const ids = new Set(plugins.map((p) => p.id))
  const own = Object.entries(configured).flatMap(([id, h]) => (ids.has(id) ? [bare(h)] : []))
  return [...new Set([...publicHostnames(plugins, configured).keys(), ...own])]
}
