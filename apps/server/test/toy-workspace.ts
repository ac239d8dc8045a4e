import { execFileSync, execSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { plainEnv } from './plain-env.ts'

/**
 * A copy of this workspace with a fifth provider, `toy`, added by following the checklist of
 * docs/writing-a-plugin.md, and nothing else: copy packages/plugin-example, rename, one entry in the
 * installed plugins, a dependency (and the lockfile `npm install` writes), a build reference,
 * `npm run generate`. Then built, as `npm run build` would.
 */

export const ROOT = resolve(import.meta.dirname, '../../..')
/** Never copied: installed or generated trees. */
const SKIP = new Set(['node_modules', '.git', '.turbo', 'data', 'coverage', '.artifacts'])

/** Step 1: copy the folder, renaming example → toy in every file name and file content. */
export function copyAndRename(from: string, to: string): void {
  const rename = (s: string) =>
    s.replaceAll('example', 'toy').replaceAll('Example', 'Toy').replaceAll('EXAMPLE', 'TOY')
  mkdirSync(to, { recursive: true })
  for (const name of readdirSync(from)) {
    if (name === 'dist' || SKIP.has(name)) continue
    const src = join(from, name)
    const dst = join(to, rename(name))
    if (statSync(src).isDirectory()) copyAndRename(src, dst)
    else writeFileSync(dst, rename(readFileSync(src, 'utf8')))
  }
}

/**
 * Step 2: one import and one entry in the list of installed plugins (apps/server/src/plugins.ts),
 * next to tmail's, whatever the list's layout: a line that imports or lists tmail alone gets its toy
 * twin after it; a list written on one line gets the toy entry after tmail's.
 */
export function addToInstalledList(source: string): string {
  const twin = (s: string) => s.replaceAll('tmail', 'toy')
  const out: string[] = []
  for (const line of source.split('\n')) {
    if (/^\s*import\b.*\btmail/.test(line) || /^\s*'?tmail/.test(line)) out.push(line, twin(line))
    else out.push(line.replace(/'tmail'|\btmail\w*(\(\))?/, (m) => `${m}, ${twin(m)}`))
  }
  return out.join('\n')
}

/** Text edit of a JSON file as a person makes it: a line after the line that names tmail's package. */
function addLineAfterTmail(file: string, make: (tmailLine: string) => string): void {
  const lines = readFileSync(file, 'utf8').split('\n')
  const i = lines.findIndex((l) => l.includes('plugin-tmail'))
  if (i < 0) throw new Error(`${file}: no plugin-tmail line`)
  lines.splice(i + 1, 0, make(lines[i]!))
  writeFileSync(file, lines.join('\n'))
}

/** Steps 3 and 4: the server depends on the package and builds it first (edited where tmail's are). */
function addDependencyAndReference(ws: string): void {
  addLineAfterTmail(join(ws, 'apps/server/package.json'), (l) => l.replace('plugin-tmail', 'plugin-toy'))
  // In `references`, tmail's is the last entry: it gets a comma, the toy's entry follows.
  const tsFile = join(ws, 'apps/server/tsconfig.build.json')
  const ts = readFileSync(tsFile, 'utf8')
  const tmail = /( *)\{\n( *)"path": "\.\.\/\.\.\/packages\/plugin-tmail\/tsconfig\.build\.json"\n *\}/
  const m = tmail.exec(ts)
  if (!m) throw new Error('apps/server/tsconfig.build.json: no plugin-tmail reference')
  // Whether or not tmail's entry is the last, the toy's follows it with the commas right.
  writeFileSync(tsFile, ts.replace(m[0], `${m[0]},\n${m[0].replace('plugin-tmail', 'plugin-toy')}`))
}

/**
 * What `npm install` does for a workspace: link each package under node_modules/@mailfront. The
 * third-party packages are this checkout's, linked one by one (nothing is downloaded).
 */
function linkNodeModules(ws: string): void {
  const nm = join(ws, 'node_modules')
  mkdirSync(join(nm, '@mailfront'), { recursive: true })
  for (const name of readdirSync(join(ROOT, 'node_modules')))
    if (name !== '@mailfront') symlinkSync(join(ROOT, 'node_modules', name), join(nm, name))
  for (const dir of ['packages', 'apps'])
    for (const name of readdirSync(join(ws, dir))) {
      const pkg = JSON.parse(readFileSync(join(ws, dir, name, 'package.json'), 'utf8'))
      symlinkSync(join('../..', dir, name), join(nm, pkg.name))
      // A workspace's own node_modules (a version only it uses, e.g. testcontainers'), as installed.
      const own = join(ROOT, dir, name, 'node_modules')
      if (existsSync(own)) symlinkSync(own, join(ws, dir, name, 'node_modules'))
    }
}

/** Files (outside node_modules and build output) that differ from this checkout, or are new. */
export function changedFiles(ws: string): string[] {
  const out: string[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (SKIP.has(name) || name === 'dist') continue
      const path = join(dir, name)
      const rel = relative(ws, path)
      if (statSync(path).isDirectory()) walk(path)
      else {
        let before: Buffer | undefined
        try {
          before = readFileSync(join(ROOT, rel))
        } catch {}
        if (!before?.equals(readFileSync(path))) out.push(rel)
      }
    }
  }
  walk(ws)
  return out.sort()
}

/** The toy workspace, built. The copy keeps the build output and its times: only toy and server build. */
export function buildToyWorkspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'mailfront-toy-'))
  for (const name of readdirSync(ROOT))
    if (!SKIP.has(name))
      cpSync(join(ROOT, name), join(ws, name), {
        recursive: true,
        preserveTimestamps: true,
        filter: (src) => !SKIP.has(src.split('/').at(-1)!),
      })
  copyAndRename(join(ws, 'packages/plugin-example'), join(ws, 'packages/plugin-toy'))
  // Step 1, end: the formatter, since a new name changes line lengths and the sorting of imports.
  execFileSync(join(ROOT, 'node_modules/.bin/biome'), ['check', '--write', 'packages/plugin-toy'], {
    cwd: ws,
    stdio: 'pipe',
  })
  const list = join(ws, 'apps/server/src/plugins.ts')
  writeFileSync(list, addToInstalledList(readFileSync(list, 'utf8')))
  addDependencyAndReference(ws)
  // Step 3's `npm install`: its lockfile half (the new workspace in package-lock.json, which the
  // image's `npm ci` and turbo read), from the lockfile alone (--offline: nothing is downloaded).
  // Its node_modules half is linkNodeModules: this checkout's installed packages, linked rather
  // than installed again, with the workspaces (the toy's included) linked as npm links them.
  execFileSync(
    'npm',
    ['install', '--package-lock-only', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'],
    {
      cwd: ws,
      stdio: 'pipe',
      env: plainEnv(),
    },
  )
  linkNodeModules(ws)
  // Step 5: `npm run generate` (fixtures/demo.json and the README's tables, from the plugins): the
  // script of the copy's package.json, run as npm would.
  execSync(JSON.parse(readFileSync(join(ws, 'package.json'), 'utf8')).scripts.generate, {
    cwd: ws,
    stdio: 'pipe',
  })
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json'],
    {
      cwd: ws,
      stdio: 'pipe',
    },
  )
  return ws
}
