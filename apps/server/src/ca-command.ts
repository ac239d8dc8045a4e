import { execFileSync } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { cliName } from './cli-name.ts'
import { caFiles, existingCa, localCa } from './tls.ts'

/** A command run against the machine's trust store, shown as it is run. */
export type Step = string[]

export type TrustStore = 'debian' | 'fedora' | 'macos'

/** Which trust store this machine has: Debian/Ubuntu, Fedora/RHEL, macOS; undefined for any other. */
export function detectTrustStore(
  platform: NodeJS.Platform = process.platform,
  exists: (path: string) => boolean = existsSync,
): TrustStore | undefined {
  if (platform === 'darwin') return 'macos'
  if (platform !== 'linux') return undefined
  const onPath = (cmd: string) =>
    ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((d) => exists(`${d}/${cmd}`))
  if (onPath('update-ca-certificates') && exists('/usr/local/share/ca-certificates')) return 'debian'
  if (onPath('update-ca-trust') && exists('/etc/pki/ca-trust/source/anchors')) return 'fedora'
  return undefined
}

/**
 * The commands that add (or remove) the CA certificate `certFile` to the trust store, named by its
 * fingerprint so that two data dirs' CAs never overwrite each other.
 */
export function trustSteps(
  store: TrustStore,
  cert: { file: string; id: string; sha1: string },
  remove: boolean,
): Step[] {
  const { file: certFile, id } = cert
  switch (store) {
    case 'debian': {
      // update-ca-certificates reads only *.crt files there.
      const dest = `/usr/local/share/ca-certificates/mailfront-${id}.crt`
      return remove
        ? [
            ['rm', '-f', dest],
            ['update-ca-certificates', '--fresh'],
          ]
        : [['install', '-m', '0644', certFile, dest], ['update-ca-certificates']]
    }
    case 'fedora': {
      const dest = `/etc/pki/ca-trust/source/anchors/mailfront-${id}.pem`
      return remove
        ? [
            ['rm', '-f', dest],
            ['update-ca-trust', 'extract'],
          ]
        : [
            ['install', '-m', '0644', certFile, dest],
            ['update-ca-trust', 'extract'],
          ]
    }
    case 'macos':
      return remove
        ? [
            ['security', 'remove-trusted-cert', '-d', certFile],
            ['security', 'delete-certificate', '-Z', cert.sha1, '/Library/Keychains/System.keychain'],
          ]
        : [
            [
              'security',
              'add-trusted-cert',
              '-d',
              '-r',
              'trustRoot',
              '-k',
              '/Library/Keychains/System.keychain',
              certFile,
            ],
          ]
  }
}

interface CaOptions {
  path?: boolean
  install?: boolean
  uninstall?: boolean
  renew?: boolean
  dataDir?: string
}

/**
 * The CA has no name constraints (selfsigned cannot write them, and names fixed at its making would
 * break the MAILFRONT_HOSTNAMEs added later): once trusted, its key can sign for any site.
 */
export const KEY_WARNING = (keyFile: string) =>
  `this machine now trusts every certificate signed with ${keyFile}, for any site name: keep the data dir private to you, and run ${cliName()} ca --uninstall when you no longer need it`

const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)

export function addCaCommand(program: Command, fail: (message: string) => Error): void {
  program
    .command('ca')
    .description(
      "The local CA that issues the server's certificate: print it, or add it to this machine's trust store",
    )
    .option('--path', 'print the CA certificate file path instead of the certificate')
    .option(
      '--install',
      "add the CA to this machine's trust store (Debian/Ubuntu, Fedora, macOS; needs root/sudo)",
    )
    .option('--uninstall', "remove it from this machine's trust store")
    .option('--renew', 'make a new CA in place of the current one (uninstall the old one first)')
    .option('--data-dir <dir>', 'data directory [MAILFRONT_DATA_DIR, default ./data]')
    .addHelpText(
      'after',
      [
        '',
        'The CA is made in the data dir on first use (its key, ca-key.pem, stays there, mode 0600); --path,',
        '--install and --uninstall need it made already (start the server once). It is never replaced',
        'unasked, even near its end (the server warns 30 days before): --renew makes a new one. With',
        'MAILFRONT_TLS=self-signed (the default) the server certificate is issued from it for 127.0.0.1,',
        "::1, localhost, MAILFRONT_HOSTNAME and every mounted plugin's public hostnames.",
        `Trust it per client instead of machine-wide: curl --cacert "$(${cliName()} ca --path)",`,
        'SSL_CERT_FILE (Go), REQUESTS_CA_BUNDLE (Python), NODE_EXTRA_CA_CERTS (Node).',
      ].join('\n'),
    )
    .action(async (opts: CaOptions) => {
      if ([opts.path, opts.install, opts.uninstall, opts.renew].filter(Boolean).length > 1)
        throw fail('choose one of --path, --install, --uninstall, --renew')
      const dataDir = resolve(opts.dataDir ?? process.env.MAILFRONT_DATA_DIR ?? './data')
      const certFile = caFiles(dataDir).cert
      if (opts.renew) {
        await localCa(dataDir, { renew: true })
        // The server certificate is issued again from the new CA at the next start (not issued by it).
        return void process.stderr.write(
          `made a new local CA ${certFile}; the server certificate is issued from it at the next start; trust it again (sudo ${cliName()} ca --install)\n`,
        )
      }
      // Never made here: under sudo it would be root's, and the server (run as you) could not read its key.
      const ca =
        opts.path || opts.install || opts.uninstall ? await existingCa(dataDir) : await localCa(dataDir)
      if (!ca)
        throw fail(
          `no local CA in ${dataDir} yet: start the server once (${cliName()} serve --data-dir ${dataDir}) to make it, then run this again`,
        )
      if (ca.warning) process.stderr.write(`warning: ${ca.warning}\n`)
      if (opts.path) return void process.stdout.write(`${certFile}\n`)
      if (!opts.install && !opts.uninstall) return void process.stdout.write(ca.cert)
      const store = detectTrustStore()
      if (!store)
        throw fail(
          `no supported trust store here (Debian/Ubuntu update-ca-certificates, Fedora update-ca-trust, macOS security); trust ${certFile} in your client instead`,
        )
      const x = new X509Certificate(ca.cert)
      const id = x.fingerprint256.replaceAll(':', '').slice(0, 16).toLowerCase()
      const sha1 = x.fingerprint.replaceAll(':', '')
      for (const step of trustSteps(store, { file: certFile, id, sha1 }, !!opts.uninstall)) {
        process.stderr.write(`+ ${step.map(quote).join(' ')}\n`)
        try {
          execFileSync(step[0]!, step.slice(1), { stdio: ['ignore', 'inherit', 'inherit'] })
        } catch (e) {
          throw new Error(
            `${step[0]} failed (${(e as Error).message.split('\n')[0]}); it may need root: sudo`,
          )
        }
      }
      process.stderr.write(
        `${opts.uninstall ? 'removed' : 'added'} ${certFile} ${opts.uninstall ? 'from' : 'to'} the ${store} trust store\n`,
      )
      if (opts.install) process.stderr.write(`warning: ${KEY_WARNING(caFiles(dataDir).key)}\n`)
    })
}
