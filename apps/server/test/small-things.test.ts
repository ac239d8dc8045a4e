import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { type AddressInfo, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../src/config.ts'
import { suggestVariable } from '../src/config-plugins.ts'
import { BIN, startServer } from './server-process.ts'

const ROOT = resolve(import.meta.dirname, '../../..')

describe('small things found on the way (#29)', () => {
  it('a port already taken names the listener and the setting to change (exit 1, as the SMTP one)', async () => {
    const taken = createServer()
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r))
    const port = (taken.address() as AddressInfo).port
    try {
      const envs: Record<string, string>[] = [
        { MAILFRONT_PORT: String(port) },
        { MAILFRONT_SMTP_PORT: String(port) },
      ]
      const errors: string[] = []
      for (const env of envs) {
        const err = await startServer({ MAILFRONT_TLS: 'off', MAILFRONT_DEMO: 'off', ...env }).catch(
          (e: Error) => e,
        )
        errors.push((err as Error).message)
      }
      for (const m of errors) expect(m).toMatch(/^server exited with 1:/)
      expect(errors[0]).toContain(
        `mailfront: cannot listen for HTTP on 127.0.0.1:${port}: listen EADDRINUSE: address already in use 127.0.0.1:${port} (set another port: MAILFRONT_PORT or --port)\n`,
      )
      expect(errors[1]).toContain(
        `mailfront: cannot listen for SMTP on 127.0.0.1:${port}: listen EADDRINUSE: address already in use 127.0.0.1:${port} (set another port: MAILFRONT_SMTP_PORT or --smtp-port)\n`,
      )
    } finally {
      taken.close()
    }
  })

  it('an unknown variable is named in plain text with the likely one, not as a JSON line', async () => {
    expect(suggestVariable('MAILFRONT_PROT', ['MAILFRONT_PORT', 'MAILFRONT_HOST'])).toBe('MAILFRONT_PORT')
    expect(suggestVariable('MAILFRONT_TMAIL_QUEUE_INTERVL_S', [])).toBe('MAILFRONT_TMAIL_QUEUE_INTERVAL_S')
    expect(suggestVariable('MAILFRONT_SOMETHING_ELSE', ['MAILFRONT_PORT'])).toBeUndefined()
    const srv = await startServer({ MAILFRONT_TLS: 'off', MAILFRONT_PROT: '8080', MAILFRONT_DEMO: 'off' })
    try {
      const lines = srv.output().split('\n')
      expect(lines).toContain(
        'warning: unknown MAILFRONT_* variable MAILFRONT_PROT, ignored (did you mean MAILFRONT_PORT?)',
      )
      expect(lines.filter((l) => l.startsWith('{') && l.includes('MAILFRONT_PROT'))).toEqual([])
    } finally {
      srv.child.kill('SIGTERM')
      await srv.exited
    }
  })

  it('reprints the demo logins at every start while the store holds the demo data, and serves them to the UI', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailfront-demo-'))
    for (const start of ['first', 'again']) {
      const srv = await startServer({ MAILFRONT_TLS: 'off' }, dir)
      try {
        for (let i = 0; i < 100 && !srv.output().includes('send mail ('); i++)
          await new Promise((r) => setTimeout(r, 50))
        const out = srv.output()
        expect([start, out.includes('demo data loaded; try:')]).toEqual([start, true])
        expect(out).toContain('--auth-user aa12345 --auth-password demo-smtp-password')
        const demo = (await (await fetch(`${srv.url}/_mailfront/demo`)).json()) as {
          present: boolean
          plugins: { plugin: string; try: string[]; smtpLogin?: { user: string; pass: string } }[]
        }
        expect(demo.present).toBe(true)
        expect(demo.plugins.find((p) => p.plugin === 'authsmtp')?.smtpLogin).toMatchObject({
          user: 'aa12345',
          pass: 'demo-smtp-password',
        })
        expect(demo.plugins.find((p) => p.plugin === 'tmail')?.try.join('\n')).toContain(
          `curl -u admin:admin ${srv.url}/users/toorop@tmail.io`,
        )
      } finally {
        srv.child.kill('SIGTERM')
        await srv.exited
      }
    }
    // A store without the demo data says so, and prints no logins.
    const off = await startServer({ MAILFRONT_TLS: 'off', MAILFRONT_DEMO: 'off' })
    try {
      expect(await (await fetch(`${off.url}/_mailfront/demo`)).json()).toEqual({
        present: false,
        plugins: [],
      })
      expect(off.output()).not.toContain('demo data loaded')
    } finally {
      off.child.kill('SIGTERM')
      await off.exited
    }
  })

  it('MAILFRONT_SMTP_AUTH=any with relay delivery stops the start: one line, exit 2', () => {
    const r = spawnSync(process.execPath, [BIN, 'serve'], {
      encoding: 'utf8',
      env: {
        ...process.env,
        MAILFRONT_SMTP_AUTH: 'any',
        MAILFRONT_MAIL_DELIVERY: 'relay',
        MAILFRONT_MAIL_RELAY_URL: 'smtp://127.0.0.1:1',
      },
    })
    expect(r.status).toBe(2)
    expect(r.stderr).toBe(
      'mailfront: MAILFRONT_SMTP_AUTH=any captures only: it is never allowed with MAILFRONT_MAIL_DELIVERY=relay (got "any")\n',
    )
  })

  it('MAILFRONT_TLS=files without a certificate says what is missing, with no "(got null)"', () => {
    expect(() => loadConfig({ MAILFRONT_TLS: 'files' })).toThrow(
      new ConfigError('MAILFRONT_TLS=files needs MAILFRONT_TLS_CERT and MAILFRONT_TLS_KEY'),
    )
  })

  it('`fixtures export --data-dir /nonexistent` fails with one line, exit 2, and creates nothing', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mailfront-export-')), 'nonexistent')
    const r = spawnSync(process.execPath, [BIN, 'fixtures', 'export', '--data-dir', dir], {
      encoding: 'utf8',
      env: Object.fromEntries(
        Object.entries(process.env).filter(
          ([k]) => !['MAILFRONT_DATA_DIR', 'MAILFRONT_DATABASE_URL'].includes(k),
        ),
      ),
    })
    expect(r.status).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(
      `mailfront: no store at ${join(dir, 'mailfront.db')}: nothing to read (check --data-dir or --database-url)\n`,
    )
    expect(existsSync(dir)).toBe(false)
  })

  // Skipped only outside a git checkout (an unpacked source tarball has no repository to ask).
  it.skipIf(!existsSync(join(ROOT, '.git')))('packed tarballs in the root are git-ignored', () => {
    for (const name of ['mailfront-server-0.1.0.tgz', 'mailfront-core-0.1.0.tgz']) {
      const git = spawnSync('git', ['check-ignore', '-q', name], { cwd: ROOT })
      expect([name, git.status, String(git.stderr)]).toEqual([name, 0, ''])
    }
  })
})
