// "Fewer traps": plain HTTP on loopback works as the banner says, and a setup that refuses
// everything says so at start.
import { execFileSync } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { INSTALLED_PLUGINS } from '../src/plugins.ts'
import { type ServerProcess, startServer } from './server-process.ts'

const hasCurl = (() => {
  try {
    execFileSync('curl', ['--version'])
    return true
  } catch {
    return false
  }
})()

async function outputWith(srv: ServerProcess, text: string): Promise<string> {
  for (let i = 0; i < 100 && !srv.output().includes(text); i++) await new Promise((r) => setTimeout(r, 50))
  return srv.output()
}

describe('MAILFRONT_TLS=off', () => {
  let srv: (ServerProcess & { dataDir: string }) | undefined
  afterEach(() => {
    srv?.child.kill('SIGKILL')
    srv = undefined
  })

  // Skipped only without curl, which runs the banner's own lines.
  it.skipIf(!hasCurl)(
    'on loopback: HTTPS is not required, and every curl the banner prints answers 200',
    async () => {
      srv = await startServer({
        MAILFRONT_TLS: 'off',
        MAILFRONT_DEMO: 'on',
        MAILFRONT_AUTHSMTP_RATE_WINDOW_S: '0',
      })
      expect(srv.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const out = await outputWith(srv, 'send mail')
      expect(out).not.toContain('TLS is off and HTTPS is required')
      const curls = out
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.startsWith('curl '))
      // Each installed plugin's curl lines (SMTPD: a password, the API key and its send), however many.
      const demoCurls = INSTALLED_PLUGINS.flatMap((make) => make().data?.demo?.try ?? [])
        .map((l) => l.trim())
        .filter((l) => l.startsWith('{curl} '))
      expect(demoCurls.length).toBeGreaterThanOrEqual(6)
      expect(curls).toHaveLength(demoCurls.length)
      for (const line of curls) {
        expect(line).not.toContain('https://')
        expect(line).not.toMatch(/^curl -k/)
        expect(line).toContain(srv.url)
        const answer = execFileSync('sh', ['-c', `${line} -s --max-time 10 -w '\n%{http_code}'`], {
          encoding: 'utf8',
        })
        const status = line.endsWith('/api/v1/email/send') ? '202' : '200'
        expect(answer.slice(answer.lastIndexOf('\n') + 1), `${line}\n${answer}`).toBe(status)
        if (line.endsWith('/v1/')) expect(answer).toContain('"result"')
      }
      // The send is captured where the banner says.
      const captured = (await (await fetch(`${srv.url}/_mailfront/messages`)).json()) as {
        messages: { subject: string }[]
      }
      expect(captured.messages.map((m) => m.subject)).toEqual(['Hello'])
      // The API-key hint really authenticates: its answer is the key's account.
      const key = curls.find((l) => l.includes('demo-secret:'))!
      expect(execFileSync('sh', ['-c', `${key} -s`], { encoding: 'utf8' })).toContain('Demo account')
    },
    60_000,
  )

  it('on every address: HTTPS stays required, and the start says every plain request is refused', async () => {
    srv = await startServer({
      MAILFRONT_TLS: 'off',
      MAILFRONT_HOST: '0.0.0.0',
      MAILFRONT_ADMIN_TOKEN: 'traps-admin-token-0123',
      MAILFRONT_DEMO: 'off',
    })
    // The log line (buffered) comes after the printed warning: wait for it.
    const out = await outputWith(srv, '"msg":"TLS is off and HTTPS is required')
    const warn = out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .find((l) => l.msg.startsWith('TLS is off'))
    expect(warn).toMatchObject({
      level: 40,
      msg: 'TLS is off and HTTPS is required: every plain-HTTP request is refused; set MAILFRONT_REQUIRE_HTTPS=false, or MAILFRONT_TRUST_PROXY=true behind a TLS proxy',
    })
    // The printed lines: URLs a client can dial (never http://0.0.0.0), the warning before the banner.
    const printed = out.split('\n').filter((l) => l && !l.startsWith('{'))
    expect(printed.filter((l) => /https?:\/\/0\.0\.0\.0/.test(l))).toEqual([])
    expect(srv.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const warned = printed.findIndex((l) => l.startsWith('warning: TLS is off and HTTPS is required'))
    const banner = printed.findIndex((l) => l.startsWith('mailfront http://127.0.0.1:'))
    expect(warned).toBeGreaterThanOrEqual(0)
    expect(warned).toBeLessThan(banner)
    // The SMTP line names the listen address (every interface); its URL the loopback one.
    expect(printed.find((l) => l.startsWith('SMTP submission on 0.0.0.0:'))).toContain(
      'captured mail: http://127.0.0.1:',
    )
    const port = new URL(srv.url).port
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/account`)
    expect(res.status).toBe(403)
  })
})
