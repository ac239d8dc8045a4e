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
  it('took only the checklist: the copied folder, the list, a dependency and a build reference', () => {
    const changed = changedFiles(ws)
    expect(changed.filter((f) => !f.startsWith('packages/plugin-toy/'))).toEqual([
      'apps/server/package.json',
      'apps/server/src/plugins.ts',
      'apps/server/tsconfig.build.json',
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
