import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../src/config.ts'
import { suggestVariable } from '../src/config-plugins.ts'
import { BIN, startServer } from './server-process.ts'

const ROOT = resolve(import.meta.dirname, '../../..')

describe('small things found on the way (#29)', () => {
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
