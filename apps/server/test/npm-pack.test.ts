import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { encodeBasic, memoryAdapter } from '@mailfront/core'
import { mountPlugin } from '@mailfront/core/host'
import { tmailPlugin } from '@mailfront/plugin-tmail'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { plainEnv } from './plain-env.ts'

// What a server author does: `npm pack` the packages (the e2e project's global setup has built
// them), install the tarballs into a new project with plain npm, and run a small server with plain
// Node, no TypeScript loader. Third-party dependencies come from the npm cache `npm ci` filled.

const ROOT = resolve(import.meta.dirname, '../../..')
const PACKED = ['@mailfront/core', '@mailfront/storage-sql', '@mailfront/plugin-tmail']
const ADMIN = { adminLogin: 'admin', adminPassword: 'change-me' }

/** The server of the root README, over PGlite (pure WebAssembly: nothing to compile at install). */
const SERVER = `import { serve } from '@hono/node-server'
import { mountPlugin } from '@mailfront/core/host'
import { tmailPlugin } from '@mailfront/plugin-tmail'
import { pgliteAdapter } from '@mailfront/storage-sql'
import { Hono } from 'hono'

const app = new Hono()
app.get('/', (c) => c.text('my own routes'))
const storage = await pgliteAdapter()
const options = { adminLogin: 'admin', adminPassword: 'change-me' }
await mountPlugin(app, tmailPlugin(), { storage, options })

const server = serve({ fetch: app.fetch, port: 0 }, (a) => console.log(\`listening on \${a.port}\`))
process.on('SIGTERM', () => server.close(() => storage.close().then(() => process.exit(0))))
`

/** A TypeScript user of the declarations, checked with Node's own module resolution. */
const TYPED = `import type { MailfrontPlugin } from '@mailfront/core'
import { mountPlugin } from '@mailfront/core/host'
import { tmailPlugin } from '@mailfront/plugin-tmail'
import { pgliteAdapter } from '@mailfront/storage-sql'
import { Hono } from 'hono'

const plugin: MailfrontPlugin = tmailPlugin()
const ctx = await mountPlugin(new Hono(), plugin, { storage: await pgliteAdapter(), options: {} })
export const limit: number = ctx.bodyLimit
// @ts-expect-error the store is required
await mountPlugin(new Hono(), plugin, {})
`

const hasNpm = spawnSync('npm', ['--version'], { stdio: 'ignore' }).status === 0

const run = async (cmd: string, args: string[], cwd: string) =>
  (await promisify(execFile)(cmd, args, { cwd, env: plainEnv(), maxBuffer: 16 << 20, encoding: 'utf8' }))
    .stdout

/** The exact version the workspace installed, so npm finds it in its cache. */
const installed = (name: string) =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version

interface Packed {
  name: string
  filename: string
  files: { path: string }[]
}

// Skipped only where npm itself is missing (the packages cannot be packed or installed then).
describe.skipIf(!hasNpm)('npm pack: the packages install into a plain Node project', () => {
  let dir: string
  let project: string
  let packed: Packed[]
  let child: ChildProcess | undefined

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mailfront-pack-'))
    project = join(dir, 'my-server')
    mkdirSync(project)
    const workspaces = PACKED.flatMap((p) => ['-w', p])
    packed = JSON.parse(await run('npm', ['pack', '--json', '--pack-destination', dir, ...workspaces], ROOT))
    const dependencies: Record<string, string> = {}
    for (const p of packed) dependencies[p.name] = `file:../${p.filename}`
    for (const dep of ['hono', '@hono/node-server', '@electric-sql/pglite'])
      dependencies[dep] = installed(dep)
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'my-server', private: true, type: 'module', dependencies }, null, 2),
    )
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], project)
  }, 120_000)

  afterAll(() => {
    child?.kill('SIGKILL')
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('ships only the built JavaScript, its declarations, demo data, the README and package.json', () => {
    expect(packed.map((p) => p.name)).toEqual(PACKED)
    for (const p of packed) {
      const paths = p.files.map((f) => f.path)
      expect(paths).toContain('dist/index.js')
      expect(paths).toContain('dist/index.d.ts')
      expect(paths).toContain('README.md')
      // A plugin's demo data (demo.json, read at run time) ships beside dist/ when it has one.
      expect(
        paths.filter((f) => !/^(dist\/.+\.(m?js|d\.m?ts)|README\.md|package\.json|demo\.json)$/.test(f)),
      ).toEqual([])
      expect(paths.filter((f) => f.includes('.test.'))).toEqual([])
      const pkg = JSON.parse(
        readFileSync(join(project, 'node_modules', p.name, 'package.json'), 'utf8'),
      ) as Record<string, unknown>
      expect(pkg.private).toBeUndefined()
      expect(pkg).toMatchObject({ license: 'MIT', version: expect.stringMatching(/^\d+\.\d+\.\d+/) })
      expect(pkg.description).toEqual(expect.any(String))
    }
    // The storage drivers are optional peers: installing storage-sql compiled no SQLite.
    expect(readdirSync(join(project, 'node_modules'))).not.toContain('better-sqlite3')
  })

  it('runs a 15-line server with plain Node: mountPlugin, then the same bytes as the workspace', async () => {
    expect(SERVER.trim().split('\n').length).toBeLessThanOrEqual(15)
    writeFileSync(join(project, 'server.mjs'), SERVER)
    const proc = spawn(process.execPath, ['server.mjs'], {
      cwd: project,
      env: plainEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child = proc
    let out = ''
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)))
    const port = await new Promise<string>((ok, fail) => {
      const seen = (b: Buffer) => {
        out += b.toString()
        const m = /listening on (\d+)/.exec(out)
        if (m) ok(m[1]!)
      }
      proc.stdout!.on('data', seen)
      proc.stderr!.on('data', seen)
      exited.then((code) => fail(new Error(`server.mjs exited with ${code}:\n${out}`)))
    })
    const url = `http://127.0.0.1:${port}`
    const auth = { Authorization: encodeBasic(ADMIN.adminLogin, ADMIN.adminPassword) }

    // The same plugin from the workspace sources, mounted the same way, is the reference.
    const reference = new Hono()
    await mountPlugin(reference, tmailPlugin(), { storage: memoryAdapter(), options: ADMIN })
    const same = async (path: string, init: RequestInit = {}) => {
      const got = await fetch(url + path, init)
      const want = await reference.request(`http://127.0.0.1${path}`, init)
      const body = await got.text()
      // @hono/node-server labels an empty body text/plain where app.request leaves it unlabelled.
      const type = (r: Response) => (r.status === 201 ? '(empty)' : r.headers.get('content-type'))
      expect([got.status, type(got), body]).toEqual([want.status, type(want), await want.text()])
      return { res: got, body }
    }

    expect((await same('/ping')).body).toBe('{"msg": "pong"}')
    const denied = await same('/users')
    expect(denied.res.status).toBe(401)
    expect(denied.res.headers.get('www-authenticate')).toBe('Basic realm="tmail REST server"')
    const create = { method: 'POST', headers: auth, body: '{"passwd":"motdepasse","haveMailbox":true}' }
    const created = await same('/users/alice@example.com', create)
    expect(created.res.status).toBe(201)
    expect(created.res.headers.get('location')).toBe(`${url}/users/alice@example.com`)
    const user = await fetch(`${url}/users/alice@example.com`, { headers: auth })
    expect(user.status).toBe(200)
    expect(await user.json()).toMatchObject({
      Login: 'alice@example.com',
      HaveMailbox: true,
      MailboxQuota: '200M',
      Home: '/home/tmail/mailboxes/e/example.com/a/alice',
    })
    expect((await same('/users/bob@example.com', { headers: auth })).body).toBe(
      '{"msg":"no such user bob@example.com","raw":""}',
    )
    // The host app's own routes stay its own.
    expect(await (await fetch(`${url}/`)).text()).toBe('my own routes')

    proc.kill('SIGTERM')
    expect(await exited).toBe(0)
  }, 60_000)

  it('gives TypeScript users working declarations (Node module resolution)', async () => {
    writeFileSync(join(project, 'typed.ts'), TYPED)
    const tsconfig = {
      compilerOptions: {
        module: 'nodenext',
        target: 'es2022',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
      },
      files: ['typed.ts'],
    }
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(tsconfig))
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc')
    const r = spawnSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8', env: plainEnv() })
    expect(r.stdout + r.stderr).toBe('')
    expect(r.status).toBe(0)
  }, 60_000)
})

/** The README's test helper, run by a project that installed the tarballs `npm run pack-server` made. */
const HELPER = `import { startMailfront } from '@mailfront/server/testing'
const mf = await startMailfront({ plugins: ['authsmtp'], store: 'memory' })
const res = await fetch(\`\${mf.url}/restful/basic_user/aa12345\`, {
  headers: { Authorization: \`Basic \${btoa('aa12345:demo-api-password')}\` },
})
console.log(res.status, (await mf.requests({ plugin: 'authsmtp' })).length)
await mf.close()
`

// The README's "The test helper": from a clone, before the scope is published. The install skips
// install scripts (better-sqlite3 would compile for minutes; a memory store never loads it).
describe.skipIf(!hasNpm)('npm run pack-server: the test helper installs into another project', () => {
  let dir: string
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('packs the server and every @mailfront package it needs, and prints the install that works', async () => {
    dir = mkdtempSync(join(tmpdir(), 'mailfront-pack-server-'))
    const app = join(dir, 'app')
    mkdirSync(app)
    const out = await run('npm', ['run', '--silent', 'pack-server', '--', join(dir, 'packed')], ROOT)
    const server = JSON.parse(readFileSync(join(ROOT, 'apps/server/package.json'), 'utf8')) as {
      dependencies: Record<string, string>
    }
    const wanted = [
      ...Object.keys(server.dependencies).filter((n) => n.startsWith('@mailfront/')),
      '@mailfront/server',
    ].map((n) => join(dir, 'packed', `${n.slice(1).replace('/', '-')}-0.1.0.tgz`))
    expect(readdirSync(join(dir, 'packed')).sort()).toEqual(wanted.map((f) => f.split('/').pop()).sort())
    const install = out.trim().split('\n').pop()!.trim()
    expect(install).toBe(`npm install -D ${wanted.join(' ')}`)

    writeFileSync(join(app, 'package.json'), '{"name":"app","private":true,"type":"module"}')
    const args = install.split(' ').slice(1)
    await run('npm', [...args, '--ignore-scripts', '--prefer-offline', '--loglevel=error'], app)
    writeFileSync(join(app, 'helper.mjs'), HELPER)
    expect((await run(process.execPath, ['helper.mjs'], app)).trim()).toBe('200 1')
  }, 180_000)
})
