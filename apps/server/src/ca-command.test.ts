import { describe, expect, it } from 'vitest'
import { detectTrustStore, trustSteps } from './ca-command.ts'

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
})
