import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseJson, stringifyJson } from '@mailfront/core'
import { demoFixtures } from './demo.ts'
import { commandsTable, optionsSection, README_MARKERS, replaceSection } from './readme-tables.ts'
import { installedPlugins } from './registry.ts'

/**
 * The files the repository derives from the installed plugins: `fixtures/demo.json` (every plugin's
 * `src/demo.ts` data) and the README's generated tables (options, commands). `npm run generate`
 * writes them; registry.test.ts and readme.test.ts check they are up to date.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
export const GENERATED = { demo: `${ROOT}fixtures/demo.json`, readme: `${ROOT}README.md` }

/** fixtures/demo.json as the plugins' demo data make it (its `$comment` kept), formatted as biome does. */
export function demoJson(current: string): string {
  const { $comment } = parseJson(current) as { $comment?: string }
  const json = stringifyJson({ ...($comment ? { $comment } : {}), ...demoFixtures(installedPlugins()) }, 2)
  // The repository's formatter, so that `npm run lint` passes on the written file.
  return execFileSync(`${ROOT}node_modules/.bin/biome`, ['format', `--stdin-file-path=${GENERATED.demo}`], {
    input: json,
    encoding: 'utf8',
  })
}

/** The README with its generated sections as the installed plugins make them. */
export function readme(current: string): string {
  const plugins = installedPlugins()
  const withOptions = replaceSection(current, README_MARKERS.options, optionsSection(plugins))
  return replaceSection(withOptions, README_MARKERS.commands, commandsTable(plugins))
}

/** Rewrite what is out of date; returns the files written. */
export function generate(): string[] {
  const written: string[] = []
  for (const [file, make] of [
    [GENERATED.demo, demoJson],
    [GENERATED.readme, readme],
  ] as const) {
    const current = readFileSync(file, 'utf8')
    const want = make(current)
    if (want !== current) {
      writeFileSync(file, want)
      written.push(file.slice(ROOT.length))
    }
  }
  return written
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const written = generate()
  console.log(written.length ? `generated: ${written.join(', ')}` : 'generated files are up to date')
}
