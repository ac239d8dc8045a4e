import { execFile, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { plainEnv } from './plain-env.ts'
import { insecureFetch, startServer } from './server-process.ts'

// What a user of the CLI does once the packages are published: `npm install -g @mailfront/server`,
// then `mailfront serve`. The @mailfront scope is served by a small registry over the tarballs
// `npm pack` makes (the siblings resolve through their real version ranges, as from the public
// registry); every other dependency comes from the npm cache `npm ci` filled.

const ROOT = resolve(import.meta.dirname, '../../..')
/** The server and the workspaces it depends on (its providers included, however many), packed. */
const WORKSPACES = [
  ...Object.keys(
    (JSON.parse(readFileSync(join(ROOT, 'apps/server/package.json'), 'utf8')) as { dependencies: object })
      .dependencies,
  ).filter((name) => name.startsWith('@mailfront/')),
  '@mailfront/server',
]

const hasNpm = spawnSync('npm', ['--version'], { stdio: 'ignore' }).status === 0

const run = async (cmd: string, args: string[], cwd: string) =>
  (await promisify(execFile)(cmd, args, { cwd, env: plainEnv(), maxBuffer: 16 << 20, encoding: 'utf8' }))
    .stdout

interface Packed {
  name: string
  version: string
  filename: string
}

/** A registry for one scope: each package's document and its tarball, as registry.npmjs.org serves them. */
function scopeRegistry(dir: string, packed: Packed[]): Promise<Server> {
  const server = createServer((req, res) => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const path = decodeURIComponent(req.url ?? '')
    const tarball = packed.find((p) => path === `/-/${p.filename}`)
    if (tarball) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      res.end(readFileSync(join(dir, tarball.filename)))
      return
    }
    const p = packed.find((x) => path === `/${x.name}`)
    if (!p) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}')
      return
    }
    const bytes = readFileSync(join(dir, p.filename))
    const manifest = JSON.parse(
      spawnSync('tar', ['-xzOf', join(dir, p.filename), 'package/package.json'], { encoding: 'utf8' }).stdout,
    )
    const dist = {
      tarball: `${base}/-/${p.filename}`,
      shasum: createHash('sha1').update(bytes).digest('hex'),
      integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(
      JSON.stringify({
        name: p.name,
        'dist-tags': { latest: p.version },
        versions: { [p.version]: { ...manifest, _id: `${p.name}@${p.version}`, dist } },
      }),
    )
  })
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)))
}

// Skipped only where npm itself is missing (nothing can be packed or installed then).
describe.skipIf(!hasNpm)('npm install -g: the CLI installs from its packages and serves', () => {
  let dir: string
  let prefix: string
  let registry: Server | undefined
  let packed: Packed[]

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mailfront-global-'))
    prefix = join(dir, 'prefix')
    const workspaces = WORKSPACES.flatMap((p) => ['-w', p])
    packed = JSON.parse(await run('npm', ['pack', '--json', '--pack-destination', dir, ...workspaces], ROOT))
    registry = await scopeRegistry(dir, packed)
    const url = `http://127.0.0.1:${(registry.address() as AddressInfo).port}/`
    // better-sqlite3 compiles here as it does on a user's machine: minutes, and over 10 on this 2-core
    // machine under a load average of 30 (measured), hence the generous bound.
    await run(
      'npm',
      [
        'install',
        '-g',
        '--prefix',
        prefix,
        `--@mailfront:registry=${url}`,
        '--prefer-offline',
        '--loglevel=error',
        '@mailfront/server@0.1.0',
      ],
      dir,
    )
  }, 1_800_000)

  afterAll(() => {
    registry?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('every published package names its siblings by a real version range and says how it publishes', () => {
    expect(packed.map((p) => p.name)).toEqual(WORKSPACES)
    for (const p of packed) {
      const pkg = JSON.parse(
        spawnSync('tar', ['-xzOf', join(dir, p.filename), 'package/package.json'], { encoding: 'utf8' })
          .stdout,
      ) as Record<string, Record<string, string> | undefined>
      expect(pkg.private, p.name).toBeUndefined()
      expect(pkg.publishConfig, p.name).toEqual({ access: 'public' })
      expect(pkg.files, p.name).toEqual(expect.arrayContaining(['dist']))
      for (const deps of [pkg.dependencies, pkg.peerDependencies, pkg.devDependencies])
        for (const [name, range] of Object.entries(deps ?? {}))
          if (name.startsWith('@mailfront/')) expect(range, `${p.name} → ${name}`).toBe('^0.1.0')
    }
  })

  it('puts `mailfront` on the PATH of the prefix, and `mailfront serve` answers', async () => {
    const bin = join(prefix, 'bin', 'mailfront')
    expect(existsSync(bin)).toBe(true)
    expect((await run(bin, ['--version'], dir)).trim()).toMatch(/^\d+\.\d+\.\d+/)
    // The installed tree holds only the registry's packages: no workspace link back into this checkout.
    const core = join(prefix, 'lib/node_modules/@mailfront/server/node_modules/@mailfront/core')
    expect(existsSync(join(core, 'dist/index.js'))).toBe(true)

    const srv = await startServer({ MAILFRONT_TLS: 'self-signed' }, mkdtempSync(join(dir, 'data-')), bin)
    try {
      expect((await insecureFetch(`${srv.url}/readyz`)).status).toBe(200)
      // The demo data loaded (a fresh store on loopback): a provider call with the demo login answers.
      const res = await insecureFetch(`${srv.url}/restful/basic_user/aa12345`, {
        headers: { Authorization: `Basic ${btoa('aa12345:demo-api-password')}` },
      })
      expect(res.status).toBe(200)
      expect(res.body.toString()).toContain('<user_id>aa12345</user_id>')
      expect(srv.output()).toContain('store: sqlite')
    } finally {
      srv.child.kill('SIGTERM')
      expect(await srv.exited).toBe(0)
    }
  }, 120_000)
})
