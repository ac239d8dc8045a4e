import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Command } from 'commander'
import { describe, expect, it, vi } from 'vitest'
import { addCaCommand, detectTrustStore, KEY_WARNING, trustSteps } from './ca-command.ts'
import { caFiles, localCa } from './tls.ts'

class Fail extends Error {}
const run = async (...args: string[]) => {
  const program = new Command().exitOverride()
  addCaCommand(program, (m) => new Fail(m))
  const out: string[] = []
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out.push(String(s))
    return true
  })
  try {
    await program.parseAsync(['node', 'mailfront', 'ca', ...args])
  } finally {
    spy.mockRestore()
  }
  return out.join('')
}

const cert = { file: '/data/ca-cert.pem', id: '0123456789abcdef', sha1: 'AB12' }

describe('mailfront ca --install / --uninstall', () => {
  it.each([
    [
      'debian',
      [
        [
          'install',
          '-m',
          '0644',
          '/data/ca-cert.pem',
          '/usr/local/share/ca-certificates/mailfront-0123456789abcdef.crt',
        ],
        ['update-ca-certificates'],
      ],
      [
        ['rm', '-f', '/usr/local/share/ca-certificates/mailfront-0123456789abcdef.crt'],
        ['update-ca-certificates', '--fresh'],
      ],
    ],
    [
      'fedora',
      [
        [
          'install',
          '-m',
          '0644',
          '/data/ca-cert.pem',
          '/etc/pki/ca-trust/source/anchors/mailfront-0123456789abcdef.pem',
        ],
        ['update-ca-trust', 'extract'],
      ],
      [
        ['rm', '-f', '/etc/pki/ca-trust/source/anchors/mailfront-0123456789abcdef.pem'],
        ['update-ca-trust', 'extract'],
      ],
    ],
    [
      'macos',
      [
        [
          'security',
          'add-trusted-cert',
          '-d',
          '-r',
          'trustRoot',
          '-k',
          '/Library/Keychains/System.keychain',
          '/data/ca-cert.pem',
        ],
      ],
      [
        ['security', 'remove-trusted-cert', '-d', '/data/ca-cert.pem'],
        ['security', 'delete-certificate', '-Z', 'AB12', '/Library/Keychains/System.keychain'],
      ],
    ],
  ] as const)('%s: runs exactly these commands', (store, install, uninstall) => {
    expect(trustSteps(store, cert, false)).toEqual(install)
    expect(trustSteps(store, cert, true)).toEqual(uninstall)
  })

  it('finds the trust store by its tools and directories', () => {
    const has =
      (...paths: string[]) =>
      (p: string) =>
        paths.includes(p)
    expect(detectTrustStore('darwin', has())).toBe('macos')
    expect(
      detectTrustStore('linux', has('/usr/sbin/update-ca-certificates', '/usr/local/share/ca-certificates')),
    ).toBe('debian')
    expect(
      detectTrustStore('linux', has('/usr/bin/update-ca-trust', '/etc/pki/ca-trust/source/anchors')),
    ).toBe('fedora')
    expect(detectTrustStore('linux', has('/usr/sbin/update-ca-certificates'))).toBeUndefined()
    expect(detectTrustStore('win32', has())).toBeUndefined()
  })

  // Review of #26, item 3: `sudo mailfront ca --install` on a fresh data dir made a root-owned CA.
  it.each([['--path'], ['--install'], ['--uninstall']])(
    '%s never makes a CA: it asks for a start first',
    async (flag) => {
      const d = mkdtempSync(join(tmpdir(), 'mailfront-ca-'))
      const e = await run(flag, '--data-dir', d).catch((x: unknown) => x)
      expect(e).toBeInstanceOf(Fail)
      expect((e as Error).message).toBe(
        `no local CA in ${d} yet: start the server once (npx mailfront serve --data-dir ${d}) to make it, then run this again`,
      )
      expect(readdirSync(d)).toEqual([])
    },
  )

  it('--path prints the file of an existing CA; plain `ca` prints it', async () => {
    const d = mkdtempSync(join(tmpdir(), 'mailfront-ca-'))
    const ca = await localCa(d)
    expect(await run('--path', '--data-dir', d)).toBe(`${caFiles(d).cert}\n`)
    expect(await run('--data-dir', d)).toBe(ca.cert)
    expect(existsSync(caFiles(d).key)).toBe(true)
  })

  it('warns on install that the key can sign for any name', () => {
    expect(KEY_WARNING('/d/ca-key.pem')).toBe(
      'this machine now trusts every certificate signed with /d/ca-key.pem, for any site name: keep the data dir private to you, and run npx mailfront ca --uninstall when you no longer need it',
    )
  })
})
