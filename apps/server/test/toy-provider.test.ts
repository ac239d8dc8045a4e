import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runSql } from './pg-schema.ts'
import { plainEnv } from './plain-env.ts'
import { podman, podmanMissing } from './podman.ts'
import { type ServerProcess, startServer } from './server-process.ts'
import { buildToyWorkspace, changedFiles } from './toy-workspace.ts'

// A fifth provider from the template, by the checklist of docs/writing-a-plugin.md alone: if a
// step is missing from the page (or the server needs a provider's name anywhere else), this fails.

/**
 * Set for the `npm test` this file runs in its copy of the workspace: there, this file is skipped
 * (it would copy the copy and run `npm test` again, without end). Its other tests run there as here.
 */
const INNER = 'MAILFRONT_TEST_TOY_INNER_RUN'
const inner = process.env[INNER] === '1'

let ws: string
let bin: string
let dir: string
const ADMIN = `Basic ${Buffer.from('root:toy-admin-password').toString('base64')}`
const FIXTURES = {
  toy: {
    admin: { login: 'root', password: 'toy-admin-password' },
    aliases: [{ address: 'sales@shop.test', destinations: ['ann@shop.test'] }],
  },
}

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, MAILFRONT_DATA_DIR: dir, MAILFRONT_LOG_LEVEL: 'warn', ...env },
  })

describe.skipIf(inner)('a fifth provider by the checklist (skipped in its own copy: see INNER)', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mailfront-toy-data-'))
    ws = buildToyWorkspace()
    bin = join(ws, 'apps/server/bin/mailfront.js')
    writeFileSync(join(dir, 'toy.json'), JSON.stringify(FIXTURES))
  }, 120_000)
  afterAll(() => {
    for (const d of [ws, dir]) if (d) rmSync(d, { recursive: true, force: true })
  })

  describe('a toy provider made from the template', () => {
    it('took only the checklist: the copied folder, the list, a dependency and its lockfile, a build reference, the generated files', () => {
      const changed = changedFiles(ws)
      expect(changed.filter((f) => !f.startsWith('packages/plugin-toy/'))).toEqual([
        'README.md',
        'apps/server/package.json',
        'apps/server/src/plugins.ts',
        'apps/server/tsconfig.build.json',
        'fixtures/demo.json',
        'package-lock.json',
      ])
      expect(changed).toContain('packages/plugin-toy/src/index.ts')
      for (const f of changed.filter((f) => f.startsWith('packages/plugin-toy/')))
        expect(readFileSync(join(ws, f), 'utf8'), f).not.toMatch(/example/i)
    })

    it('has its CLI group in mailfront --help, and its commands run', () => {
      const help = run(['--help'])
      expect(help.stdout).toMatch(/^\s+toy\b/m)
      // Its options, documented from its schema.
      expect(help.stdout).toContain('MAILFRONT_TOY_MAX_DESTINATIONS')
      const loaded = run(['fixtures', 'load', join(dir, 'toy.json')])
      expect(loaded.stderr).toBe('')
      expect(JSON.parse(loaded.stdout)).toEqual({ loaded: { toy: 2 } })
      const list = run(['toy', 'aliases', 'list'])
      expect(JSON.parse(list.stdout)).toMatchObject([
        { address: 'sales@shop.test', destinations: ['ann@shop.test'] },
      ])
    })

    it('validates its options: a bad value stops the start with one line naming the variable', () => {
      const r = run(['migrate'], { MAILFRONT_TOY_MAX_DESTINATIONS: '0' })
      expect(r.status).toBe(2)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toContain('MAILFRONT_TOY_MAX_DESTINATIONS must be a whole number ≥ 1 (got "0")')
    })

    describe('served', () => {
      let srv: ServerProcess
      beforeAll(async () => {
        srv = await startServer(
          {
            MAILFRONT_TLS: 'off',
            MAILFRONT_DEMO: 'off',
            MAILFRONT_FIXTURES: join(dir, 'toy.json'),
            MAILFRONT_TOY_MAX_DESTINATIONS: '2',
          },
          mkdtempSync(join(tmpdir(), 'mailfront-toy-serve-')),
          bin,
        )
      })
      afterAll(async () => {
        srv?.child.kill('SIGTERM')
        await srv?.exited
      })
      const call = (method: string, path: string, body?: unknown, auth = ADMIN) =>
        fetch(srv.url + path, {
          method,
          headers: { Authorization: auth, 'Content-Type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        })

      it('answers its routes, with the fixtures loaded and its options applied', async () => {
        const list = await call('GET', '/toy/aliases')
        expect(list.status).toBe(200)
        expect((await list.json()).aliases).toMatchObject([{ address: 'sales@shop.test' }])
        const put = await call('PUT', '/toy/aliases/info@shop.test', { destinations: ['ann@shop.test'] })
        expect(put.status).toBe(201)
        const tooMany = await call('PUT', '/toy/aliases/info@shop.test', {
          destinations: ['a@shop.test', 'b@shop.test', 'c@shop.test'],
        })
        expect(tooMany.status).toBe(422)
        expect(await tooMany.json()).toEqual({
          error: { code: 'TOO_MANY_DESTINATIONS', message: 'At most 2 destinations' },
        })
        const anonymous = await fetch(`${srv.url}/toy/aliases`)
        expect(anonymous.status).toBe(401)
        expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="toy"')
      })

      it('is described in /openapi.json', async () => {
        const doc = await (await fetch(`${srv.url}/openapi.json`)).json()
        expect(Object.keys(doc.paths)).toEqual(
          expect.arrayContaining(['/toy/aliases', '/toy/aliases/{address}']),
        )
        expect(doc.tags).toContainEqual({ name: 'toy', description: 'Toy aliases API' })
        const [scheme] = Object.keys(doc.paths['/toy/aliases'].get.security[0])
        expect(doc.components.securitySchemes[scheme!]).toMatchObject({ type: 'http', scheme: 'basic' })
      })
    })
  })

  /**
   * The repository's own checks in the copy, with no other edit: `npm run lint` and `npm test`, the
   * README's commands, whole (but for this file, see INNER). The copy's node_modules are this
   * checkout's, linked (toy-workspace.ts): the toy's workspace resolves as `npm install` links it.
   * The inner run shares the machine with this one, so it is kept apart where tests share anything:
   * ports are the system's free ones (port 0) and data directories temporary in both runs;
   * PostgreSQL is the same server but a database of its own (the storage suite's tables are in the
   * one it is given; a search_path would follow the tests into the databases they make); Redis keys and the tests' own schemas and databases carry the process id; its container
   * image has its own tag (MAILFRONT_TEST_IMAGE). It takes about as long as the suite itself, beside
   * it (47 min on 2 cores shared with other runs, load average 10 to 26; the suite alone is about
   * 10 min on a quiet machine): the time and the load are printed.
   */
  describe("the repository's checks in the copy", () => {
    const pgUrl = process.env.MAILFRONT_TEST_PG_URL
    const database = `mf_toy_${process.pid}`
    const image = `localhost/mailfront:test-toy-${process.pid}`
    const sql = (q: string) => runSql(pgUrl!, q)
    beforeAll(async () => {
      if (pgUrl) {
        await sql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
        await sql(`CREATE DATABASE ${database}`)
      }
    })
    afterAll(async () => {
      if (pgUrl) await sql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
      // The copy's image, where its container tests built one (the layers stay cached for the next).
      if (!podmanMissing) await podman('rmi', '-f', image).catch(() => undefined)
    })

    /** `npm <args>` in the copy: its exit code and its output (the last 30,000 characters). */
    const npm = (args: string[]) =>
      new Promise<{ status: number | null; out: string; seconds: number }>((resolve, reject) => {
        const env: NodeJS.ProcessEnv = { ...plainEnv(), [INNER]: '1', NO_COLOR: '1', FORCE_COLOR: '0' }
        env.MAILFRONT_TEST_IMAGE = image
        if (pgUrl) {
          const u = new URL(pgUrl)
          u.pathname = `/${database}`
          env.MAILFRONT_TEST_PG_URL = u.toString()
        }
        const started = Date.now()
        const child = spawn('npm', args, { cwd: ws, env, stdio: ['ignore', 'pipe', 'pipe'] })
        let out = ''
        const keep = (b: Buffer) => {
          out = (out + b.toString('utf8')).slice(-30_000)
        }
        child.stdout.on('data', keep)
        child.stderr.on('data', keep)
        child.on('error', reject)
        child.on('close', (status) => resolve({ status, out, seconds: (Date.now() - started) / 1000 }))
      })
    const load = () =>
      loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')

    it('npm run lint passes', async () => {
      const r = await npm(['run', 'lint'])
      expect(r.status, r.out).toBe(0)
    })

    it('npm test passes, whole', { timeout: 80 * 60_000 }, async () => {
      const before = load()
      const r = await npm(['test'])
      console.log(
        `[toy-provider] npm test in the copy: exit ${r.status}, ${(r.seconds / 60).toFixed(1)} min (load average before: ${before}; after: ${load()})`,
      )
      expect(r.status, r.out).toBe(0)
      // The whole suite ran: the unit and e2e projects, the new plugin's tests among them.
      expect(r.out).toMatch(/Test Files {2}\d+ passed/)
      expect(r.out).not.toMatch(/Test Files .*failed/)
    })
  })

  describe('its demo data', () => {
    let srv: ServerProcess
    beforeAll(async () => {
      srv = await startServer(
        { MAILFRONT_TLS: 'off', MAILFRONT_DEMO: 'on' },
        mkdtempSync(join(tmpdir(), 'mailfront-toy-demo-')),
        bin,
      )
    })
    afterAll(async () => {
      srv?.child.kill('SIGTERM')
      await srv?.exited
    })

    it('loads on a first start, and the server prints how to try it', async () => {
      const res = await fetch(`${srv.url}/toy/aliases`, {
        headers: { Authorization: `Basic ${Buffer.from('admin:demo-admin-password').toString('base64')}` },
      })
      expect(res.status).toBe(200)
      expect((await res.json()).aliases).toMatchObject([{ address: 'info@aliases.test' }, {}])
      expect(srv.output()).toContain(`curl -u admin:demo-admin-password ${srv.url}/toy/aliases`)
    })
  })
})

// The template itself is not installed: the server's list names the four providers only.
it('leaves plugin-example out of the installed plugins', () => {
  const list = readFileSync(join(import.meta.dirname, '../src/plugins.ts'), 'utf8')
  expect(list).not.toMatch(/example/i)
  expect(readdirSync(join(import.meta.dirname, '../../../packages'))).toContain('plugin-example')
})
