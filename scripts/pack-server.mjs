// `npm run pack-server -- DIR`: until the @mailfront packages are on the registry, the way to install
// @mailfront/server into another project. Packs (each package's prepack builds it) the server and every @mailfront package it
// depends on into DIR (default ./packed), and prints the one install command: all tarballs at once,
// so each sibling's `^0.1.0` is met by its tarball and npm never asks the registry for the scope.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = join(import.meta.dirname, '..')
// `npm run` starts scripts in the root: a relative DIR is taken from where the user typed it.
// biome-ignore lint/suspicious/noUndeclaredEnvVars: npm sets it for `npm run`; no turbo task reads it
const dest = resolve(process.env.INIT_CWD ?? process.cwd(), process.argv[2] ?? 'packed')
const server = JSON.parse(readFileSync(join(root, 'apps/server/package.json'), 'utf8'))
const names = [...Object.keys(server.dependencies).filter((n) => n.startsWith('@mailfront/')), server.name]

const npm = (args, opts = {}) =>
  execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { cwd: root, ...opts })
mkdirSync(dest, { recursive: true })
const packed = JSON.parse(
  npm(
    ['pack', '--json', '--loglevel=error', '--pack-destination', dest, ...names.flatMap((n) => ['-w', n])],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  ),
)
const files = packed.map((p) => join(dest, p.filename))
console.log(`packed ${packed.length} packages into ${dest}; in your project, install them all at once:`)
console.log(`  npm install -D ${files.join(' ')}`)
