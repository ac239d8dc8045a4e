import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { BIN, startServer } from './server-process.ts'

it('says how to build when there is no built JavaScript beside the binary', () => {
  // A copy of the binary in a tree without dist/: what a fresh checkout looks like before a build.
  const dir = mkdtempSync(join(tmpdir(), 'mailfront-bin-'))
  try {
    mkdirSync(join(dir, 'bin'))
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }')
    copyFileSync(BIN, join(dir, 'bin/mailfront.js'))
    const r = spawnSync(process.execPath, [join(dir, 'bin/mailfront.js'), '--help'], { encoding: 'utf8' })
    expect([r.status, r.stdout, r.stderr]).toEqual([
      1,
      '',
      'mailfront is not built: run `npm run build` (`npm start` builds first by itself)\n',
    ])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

it('warns about a MAILFRONT_* variable that nothing reads, and starts', async () => {
  const srv = await startServer({
    MAILFRONT_TLS: 'off',
    MAILFRONT_TMAIL_QUEUE_INTERVL_S: '1',
    MAILFRONT_DEMO: 'off',
  })
  try {
    expect(srv.output().split('\n')).toContain(
      'warning: unknown MAILFRONT_* variable MAILFRONT_TMAIL_QUEUE_INTERVL_S, ignored (did you mean MAILFRONT_TMAIL_QUEUE_INTERVAL_S?)',
    )
  } finally {
    srv.child.kill('SIGTERM')
    await srv.exited
  }
})
