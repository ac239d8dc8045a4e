import { readFile } from 'node:fs/promises'
import { assertSmtpLoginFree, type MailfrontPlugin, type PluginContext, parseJson } from '@mailfront/core'
import { installedIds } from './registry.ts'

export class FixtureError extends Error {}

/** Read a fixtures file: JSON whose integers keep all 64 bits. */
export async function readFixtures(file: string): Promise<Record<string, unknown>> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    throw new FixtureError(`${file}: ${(e as Error).message}`)
  }
  let data: unknown
  try {
    data = parseJson(text)
  } catch (e) {
    throw new FixtureError(`${file}: not valid JSON: ${(e as Error).message}`)
  }
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new FixtureError(`${file}: the top level must be an object with one key per plugin`)
  return data as Record<string, unknown>
}

/** Validate every section first (errors name the JSON path), then upsert. Idempotent. */
export async function loadFixtures(
  file: string,
  data: Record<string, unknown>,
  plugins: MailfrontPlugin[],
  contexts: Map<string, PluginContext>,
): Promise<Record<string, number>> {
  const parsed: [MailfrontPlugin, unknown][] = []
  for (const [section, value] of Object.entries(data)) {
    if (section === '$schema' || section === '$comment') continue
    const plugin = plugins.find((p) => p.id === section)
    if (!plugin) {
      if (installedIds().includes(section)) continue // a plugin that is not mounted: its section is not for us
      throw new FixtureError(`${file}: unknown section "${section}" (known: ${installedIds().join(', ')})`)
    }
    const fixtures = plugin.data?.fixtures
    if (!fixtures) throw new FixtureError(`${file}: plugin "${section}" takes no fixtures`)
    const r = fixtures.schema.safeParse(value)
    if (!r.success) {
      const i = r.error.issues[0]!
      throw new FixtureError(`${file}: ${[section, ...i.path.map(String)].join('.')}: ${i.message}`)
    }
    parsed.push([plugin, r.data])
  }
  await checkSmtpLogins(file, parsed, contexts)
  const counts: Record<string, number> = {}
  for (const [plugin, value] of parsed)
    counts[plugin.id] = (await plugin.data!.fixtures!.load(contexts.get(plugin.id)!, value)).upserted
  return counts
}

/**
 * The SMTP port's one login namespace, before anything loads: no login given to two plugins in the
 * document, nor one another plugin already holds in the store.
 */
async function checkSmtpLogins(
  file: string,
  parsed: [MailfrontPlugin, unknown][],
  contexts: Map<string, PluginContext>,
): Promise<void> {
  const claimed = new Map<string, string>()
  for (const [plugin, value] of parsed) {
    const ctx = contexts.get(plugin.id)!
    for (const login of plugin.data!.fixtures!.smtpLogins?.(value) ?? []) {
      const key = login.trim().toLowerCase()
      const other = claimed.get(key)
      if (other && other !== plugin.id)
        throw new FixtureError(
          `${file}: ${plugin.id}: SMTP login "${login}" already exists (${other}, in this file)`,
        )
      claimed.set(key, plugin.id)
      await assertSmtpLoginFree(
        ctx,
        plugin.id,
        login,
        (holder) =>
          new FixtureError(`${file}: ${plugin.id}: SMTP login "${login}" already exists (${holder})`),
      )
    }
  }
}

export async function exportFixtures(
  plugins: MailfrontPlugin[],
  contexts: Map<string, PluginContext>,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {}
  for (const p of plugins) {
    const fixtures = p.data?.fixtures
    if (fixtures) out[p.id] = await fixtures.export(contexts.get(p.id)!)
  }
  return out
}
