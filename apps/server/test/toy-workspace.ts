import { execFileSync } from 'node:child_process'
import {
  cpSync,
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

/**
 * A copy of this workspace with a fifth provider, `toy`, added by following the checklist of
 * docs/writing-a-plugin.md, and nothing else: copy packages/plugin-example, rename, one entry in the
 * installed plugins, a dependency and a build reference. Then built, as `npm run build` would.
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

/** Steps 3 and 4: the server depends on the package and builds it first. */
function addDependencyAndReference(ws: string): void {
  const pkgFile = join(ws, 'apps/server/package.json')
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'))
  pkg.dependencies['@mailfront/plugin-toy'] = '*'
  writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`)
  const tsFile = join(ws, 'apps/server/tsconfig.build.json')
  const ts = JSON.parse(readFileSync(tsFile, 'utf8'))
  ts.references.push({ path: '../../packages/plugin-toy/tsconfig.build.json' })
  writeFileSync(tsFile, `${JSON.stringify(ts, null, 2)}\n`)
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
  const list = join(ws, 'apps/server/src/plugins.ts')
  writeFileSync(list, addToInstalledList(readFileSync(list, 'utf8')))
  addDependencyAndReference(ws)
  linkNodeModules(ws)
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
