import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { optionEnvName } from '@mailfront/core'
import { describe, expect, it } from 'vitest'
import { commandsTable, optionsSection, README_MARKERS, replaceSection } from './readme-tables.ts'
import { installedPlugins } from './registry.ts'

const README = fileURLToPath(new URL('../../../README.md', import.meta.url))

/** The README with its generated sections as the installed plugins make them today. */
function generated(text: string): string {
  const plugins = installedPlugins()
  const withOptions = replaceSection(text, README_MARKERS.options, optionsSection(plugins))
  return replaceSection(withOptions, README_MARKERS.commands, commandsTable(plugins))
}

describe('README', () => {
  it("lists every plugin's options and commands as the plugins declare them (UPDATE_README=1 rewrites)", () => {
    const text = readFileSync(README, 'utf8')
    const want = generated(text)
    if (process.env.UPDATE_README && want !== text) writeFileSync(README, want)
    else expect(text).toBe(want)
  })

  it('names every option of every plugin, with its default', () => {
    const table = optionsSection(installedPlugins())
    for (const p of installedPlugins())
      for (const key of Object.keys(p.options?.shape ?? {}))
        expect(table).toContain(`| \`${optionEnvName(p.id, key)}\` |`)
    expect(table).toContain('| `MAILFRONT_TMAIL_QUEUE_INTERVAL_S` | `5` |')
  })
})
