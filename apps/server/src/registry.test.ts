import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseJson, tryDemo } from '@mailfront/core'
import { describe, expect, it } from 'vitest'
import { demoFixtures, smtpExamples } from './demo.ts'
import { demoJson, GENERATED } from './generate.ts'
import { INSTALLED_PLUGINS } from './plugins.ts'
import { createPlugin, defaultPluginIds, installedIds, installedPlugins } from './registry.ts'

const SRC = fileURLToPath(new URL('.', import.meta.url))

describe('the plugin registry', () => {
  it('knows the installed plugins by their own ids, each once, all selected by default', () => {
    const ids = installedIds()
    expect(ids).toHaveLength(INSTALLED_PLUGINS.length)
    expect(new Set(ids).size).toBe(ids.length)
    expect(defaultPluginIds()).toEqual(ids)
    // A runtime gets its own instance, never the one the registry reads.
    expect(createPlugin(ids[0]!)).not.toBe(installedPlugins()[0])
    expect(() => createPlugin('nope')).toThrow(/unknown plugin "nope"/)
  })

  it("fixtures/demo.json is what the plugins' demo data make, byte for byte (`npm run generate` writes it)", () => {
    const text = readFileSync(GENERATED.demo, 'utf8')
    const { $comment: _, ...file } = parseJson(text) as Record<string, unknown>
    const stale = 'fixtures/demo.json is out of date: run `npm run generate`'
    expect(file, stale).toEqual(demoFixtures(installedPlugins()))
    expect(text, stale).toBe(demoJson(text))
  })

  it("every plugin's demo data passes its fixtures schema, and its try lines are filled in", () => {
    for (const p of installedPlugins()) {
      const demo = p.data?.demo
      if (!demo) continue
      expect(p.data?.fixtures, p.id).toBeDefined()
      const r = p.data!.fixtures!.schema.safeParse(demo.data)
      expect(r.error, p.id).toBeUndefined()
      for (const line of tryDemo(demo, 'https://127.0.0.1:1', true))
        expect(line).not.toMatch(/\{curl\}|\{url\}/)
    }
    const smtp = smtpExamples('127.0.0.1', 2525, installedPlugins(), true)
    expect(smtp[0]).toMatch(/^swaks --server 127\.0\.0\.1:2525 --tls --auth-user /)
  })

  it('no provider is named in the server outside plugins.ts (tests and their helpers aside)', () => {
    const names = new RegExp(`\\b(${installedIds().join('|')})\\b|mailbox\\.org`, 'i')
    const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter(
      (f) =>
        f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('admin/test-') && f !== 'plugins.ts',
    )
    const named = files.flatMap((f) =>
      readFileSync(join(SRC, f), 'utf8')
        .split('\n')
        .map((line, i) => `${f}:${i + 1}: ${line.trim()}`)
        .filter((l) => names.test(l.slice(l.indexOf(': ') + 2))),
    )
    expect(named).toEqual([])
  })
})
