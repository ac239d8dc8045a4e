import { readFileSync } from 'node:fs'
import { optionEnvName } from '@mailfront/core'
import { describe, expect, it } from 'vitest'
import { GENERATED, readme } from './generate.ts'
import { optionsSection } from './readme-tables.ts'
import { installedPlugins } from './registry.ts'

describe('README', () => {
  it("lists every plugin's options and commands as the plugins declare them (`npm run generate` rewrites)", () => {
    const text = readFileSync(GENERATED.readme, 'utf8')
    expect(text, 'README.md is out of date: run `npm run generate`').toBe(readme(text))
  })

  it('names every option of every plugin, with its default', () => {
    const table = optionsSection(installedPlugins())
    for (const p of installedPlugins())
      for (const key of Object.keys(p.options?.shape ?? {}))
        expect(table).toContain(`| \`${optionEnvName(p.id, key)}\` |`)
    expect(table).toContain('| `MAILFRONT_TMAIL_QUEUE_INTERVAL_S` | `5` |')
  })
})
