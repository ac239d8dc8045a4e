import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cliName } from './cli-name.ts'

describe('cliName: the CLI command that works for how this process was started', () => {
  const d = mkdtempSync(join(tmpdir(), 'mailfront-cli-name-'))
  const bin = join(d, 'lib/node_modules/@mailfront/server/bin/mailfront.js')
  mkdirSync(join(d, 'lib/node_modules/@mailfront/server/bin'), { recursive: true })
  writeFileSync(bin, '')
  mkdirSync(join(d, 'bin'))
  symlinkSync(bin, join(d, 'bin/mailfront'))
  mkdirSync(join(d, 'other'))
  writeFileSync(join(d, 'other/mailfront'), '')
  afterAll(() => rmSync(d, { recursive: true, force: true }))

  it('is `mailfront` when that name on PATH is this program (a global install)', () => {
    expect(cliName({ PATH: `${join(d, 'other')}:${join(d, 'bin')}` }, bin)).toBe('mailfront')
    expect(cliName({ PATH: join(d, 'bin') }, join(d, 'bin/mailfront'))).toBe('mailfront')
  })

  it('is `npx mailfront` from a clone, under npm, or when another `mailfront` is on PATH', () => {
    expect(cliName({ PATH: '/usr/bin' }, bin)).toBe('npx mailfront')
    expect(cliName({ PATH: join(d, 'other') }, bin)).toBe('npx mailfront')
    // `npm start` / `npx mailfront` put node_modules/.bin on PATH for that run only.
    expect(cliName({ PATH: join(d, 'bin'), npm_command: 'run-script' }, bin)).toBe('npx mailfront')
    expect(cliName({}, undefined)).toBe('npx mailfront')
  })
})
