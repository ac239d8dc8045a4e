import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export const BIN = resolve(import.meta.dirname, '../bin/mailfront.js')

export interface ServerProcess {
  child: ChildProcess
  url: string
  output: () => string
  exited: Promise<number | null>
}

/** Start the real `mailfront serve` process and resolve with its URL once its banner is in. */
export function startServer(
  env: Record<string, string>,
  dataDir = mkdtempSync(join(tmpdir(), 'mailfront-e2e-')),
  bin = BIN,
): Promise<ServerProcess & { dataDir: string }> {
  const child = spawn(process.execPath, [bin, 'serve'], {
    env: {
      ...process.env,
      MAILFRONT_PORT: '0',
      MAILFRONT_SMTP_PORT: '0',
      MAILFRONT_DATA_DIR: dataDir,
      MAILFRONT_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000)
    const onData = (b: Buffer) => {
      out += b.toString()
      const m = /mailfront (https?:\/\/\S+)/.exec(out)
      // The banner is one write, but a pipe may hand it over in pieces: wait for its last fixed line.
      if (m && out.includes(' admin API: ')) {
        clearTimeout(timer)
        resolvePromise({ child, url: m[1]!, output: () => out, exited, dataDir })
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', (b: Buffer) => {
      out += b.toString()
    })
    exited.then((code) => reject(new Error(`server exited with ${code}:\n${out}`)))
  })
}

/** The SMTP port the server printed at start (it prints it right after its URL). */
export async function smtpPortOf(srv: ServerProcess): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const m = /SMTP submission on \S+:(\d+)/.exec(srv.output())
    if (m) return Number(m[1])
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`no SMTP port printed:\n${srv.output()}`)
}

/** Whether `curl` is installed (the curl steps say they were skipped when it is not). */
export const hasCurl = (() => {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

/** A fetch for the server's self-signed certificate (node's fetch cannot skip verification per call). */
export function insecureFetch(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: init.method ?? 'GET', headers: init.headers, rejectUnauthorized: false },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(init.body)
  })
}

/** The server's log lines (pino JSON), without the start banner (which prints demo credentials). */
export const logLines = (output: string) =>
  output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .join('\n')

/** The credentials of fixtures/demo.json: never in a log line. */
export const DEMO_SECRETS = [
  'demo-api-password',
  'demo-password',
  'demo-secret',
  'demo-admin-pass',
  'demo-reseller-pass',
  'YWExMjM0NTpkZW1vLWFwaS1wYXNzd29yZA', // base64 of aa12345:demo-api-password
  'YWRtaW46YWRtaW4', // base64 of admin:admin
]
