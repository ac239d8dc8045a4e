import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ServerProcess, startServer } from './server-process.ts'
import { buildToyWorkspace, changedFiles } from './toy-workspace.ts'

// A fifth provider from the template, by the checklist of docs/writing-a-plugin.md alone: if a
// step is missing from the page (or the server needs a provider's name anywhere else), this fails.

let ws: string
let bin: string
const dir = mkdtempSync(join(tmpdir(), 'mailfront-toy-data-'))
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

beforeAll(() => {
  ws = buildToyWorkspace()
  bin = join(ws, 'apps/server/bin/mailfront.js')
  writeFileSync(join(dir, 'toy.json'), JSON.stringify(FIXTURES))
}, 120_000)
afterAll(() => rmSync(ws, { recursive: true, force: true }))

describe('a toy provider made from the template', () => {
  it('took only the checklist: the copied folder, the list, a dependency, a build reference, the generated files', () => {
    const changed = changedFiles(ws)
    expect(changed.filter((f) => !f.startsWith('packages/plugin-toy/'))).toEqual([
      'README.md',
      'apps/server/package.json',
      'apps/server/src/plugins.ts',
      'apps/server/tsconfig.build.json',
      'fixtures/demo.json',
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
 * The repository's own checks, run in the copy with no other edit: lint, typecheck, the server's tests
 * that list the installed plugins (registry, README, composed app, faults, test loop) and the new
 * plugin's own tests. Not the whole `npm test`: about ten minutes on a small CI machine, and the
 * other tests do not read the list of plugins (their provider is named in them).
 */
describe("the repository's checks in the copy", () => {
  const inCopy = (cmd: string, args: string[]) => {
    // A clean environment for the nested runner: none of this run's VITEST_* variables.
    const env = {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST'))),
      NO_COLOR: '1',
    }
    const r = spawnSync(process.execPath, [join(ws, cmd), ...args], { cwd: ws, encoding: 'utf8', env })
    return { status: r.status, out: `${r.stdout}\n${r.stderr}` }
  }

  it('npm run lint passes', () => {
    const r = inCopy('node_modules/@biomejs/biome/bin/biome', ['check', '.'])
    expect(r.status, r.out).toBe(0)
  })

  it('typecheck passes for the server and the new plugin', { timeout: 600_000 }, () => {
    for (const project of ['apps/server', 'packages/plugin-toy']) {
      const r = inCopy('node_modules/typescript/bin/tsc', ['--noEmit', '-p', project])
      expect(r.status, r.out).toBe(0)
    }
  })

  it("the server's tests that list the plugins, and the new plugin's own, pass", { timeout: 900_000 }, () => {
    const r = inCopy('node_modules/vitest/vitest.mjs', [
      'run',
      'apps/server/src/registry.test.ts',
      'apps/server/src/readme.test.ts',
      'apps/server/src/app.test.ts',
      'apps/server/src/admin/faults.test.ts',
      'apps/server/src/admin/testloop.test.ts',
      'packages/plugin-toy',
    ])
    expect(r.status, r.out).toBe(0)
    expect(r.out).toMatch(/Test Files {2}\d+ passed/)
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

// The template itself is not installed: the server's list names the four providers only.
it('leaves plugin-example out of the installed plugins', () => {
  const list = readFileSync(join(import.meta.dirname, '../src/plugins.ts'), 'utf8')
  expect(list).not.toMatch(/example/i)
  expect(readdirSync(join(import.meta.dirname, '../../../packages'))).toContain('plugin-example')
})
