// DNS rebinding in a real browser: Chromium resolves evil.example to 127.0.0.1 (as the attacker's DNS
// would after the page loaded), so the page of http://evil.example:<port>/ is same-origin with the
// token-less admin API on loopback. Its reads must fail; the same UI under localhost works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM, launchChromium } from './chromium.ts'
import { type ServerProcess, startServer } from './server-process.ts'

describe.skipIf(!CHROMIUM)('the token-less admin API in Chromium under a re-pointed name', () => {
  let srv: ServerProcess | undefined
  let port = ''
  beforeAll(async () => {
    srv = await startServer({ MAILFRONT_TLS: 'off', MAILFRONT_DEMO: 'on' })
    port = new URL(srv.url).port
  }, 60_000)
  afterAll(() => {
    srv?.child.kill('SIGKILL')
  })

  it('evil.example gets 403 on every read and write (the UI says why); localhost gets the state', async () => {
    const browser = await launchChromium(['--host-resolver-rules=MAP evil.example 127.0.0.1'])
    try {
      const page = await browser.newPage()
      page.setDefaultTimeout(10_000)
      await page.goto(`http://evil.example:${port}/`, { waitUntil: 'domcontentloaded' })
      // The UI's own request for the state is refused, and it shows the server's reason.
      await page.waitForSelector('#state .notice:not([hidden])')
      expect(await page.textContent('#state .notice')).toBe(
        `admin API without a token answers only to a loopback host name (Host: evil.example:${port} refused, DNS rebinding guard): open it as http://127.0.0.1:${port}/ or localhost, add the name to MAILFRONT_ADMIN_HOSTS, or set MAILFRONT_ADMIN_TOKEN`,
      )
      // What the attacker's script would do: same-origin reads and a write.
      const got = await page.evaluate(async () => {
        const out: [number, boolean][] = []
        for (const path of ['/_mailfront/fixtures', '/_mailfront/messages', '/_mailfront/'])
          out.push(
            await fetch(path).then(
              async (r) => [r.status, (await r.text()).includes('$2')] as [number, boolean],
            ),
          )
        const reset = await fetch('/_mailfront/reset', { method: 'POST' })
        out.push([reset.status, false])
        return out
      })
      expect(got).toEqual([
        [403, false],
        [403, false],
        [403, false],
        [403, false],
      ])

      // The developer's own tab: the same UI under localhost shows the state.
      await page.goto(`http://localhost:${port}/`, { waitUntil: 'domcontentloaded' })
      await page.waitForSelector('#state .plugin[data-plugin=tmail] table')
      expect(await page.textContent('#state')).toContain('toorop@tmail.io')
    } finally {
      await browser.close()
    }
  }, 60_000)
})
