import { afterAll, describe, expect, it } from 'vitest'
import { CHROMIUM, launchChromium } from './chromium.ts'
import { type ServerProcess, startServer } from './server-process.ts'

const EVIL = `<html><head><title>sender</title></head><body><p id="hi">Hello</p>
<script>document.title = 'script ran'; fetch('/_mailfront/fixtures').then((r) => r.text()).then((t) => { document.title = 'stolen ' + t.length })</script>
<img src="x" onerror="document.title = 'handler ran'">
<img id="dot" src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7">
</body></html>`

describe('sender HTML in headless Chromium', () => {
  let srv: ServerProcess | undefined
  afterAll(() => {
    srv?.child.kill('SIGKILL')
  })

  // Skipped only where Debian's chromium is not installed (.ci/run installs it).
  it.skipIf(!CHROMIUM)(
    "SMTPD's content/html shows the sender's page, but its script and handlers never run",
    async () => {
      srv = await startServer({ MAILFRONT_TLS: 'off', MAILFRONT_DEMO: 'on' })
      const url = srv.url
      const grant = await fetch(`${url}/oauth/token?grant_type=password`, {
        method: 'POST',
        headers: {
          Authorization: `Basic ${Buffer.from('jack.truong@example.com:demo-password').toString('base64')}`,
        },
      })
      const token = ((await grant.json()) as { access_token: string }).access_token
      const auth = { Authorization: `Bearer ${token}` }
      const sent = await fetch(`${url}/api/v1/email/send`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          from_email_address: 'jack.truong@example.com',
          recipient_email_address: 'victim@example.org',
          subject: 'evil',
          content_html: EVIL,
          content_text: 'Hello',
        }),
      })
      expect(sent.status).toBe(202)
      const { send_id } = (await sent.json()) as { send_id: string }

      const browser = await launchChromium()
      try {
        const page = await browser.newPage({ extraHTTPHeaders: auth })
        const admin: string[] = []
        const blocked: string[] = []
        page.on('request', (r) => {
          if (new URL(r.url()).pathname.startsWith('/_mailfront')) admin.push(r.url())
        })
        page.on('console', (m) => {
          if (/Blocked script execution|Content Security Policy/.test(m.text())) blocked.push(m.text())
        })
        const res = await page.goto(`${url}/api/v1/email/send/${send_id}/content/html`, {
          waitUntil: 'networkidle', // a fetch the script made would have been seen by now
        })
        expect(res?.status()).toBe(200)
        expect(await page.textContent('#hi')).toBe('Hello') // the page is shown
        expect(await page.title()).toBe('sender') // neither the script nor the handler ran
        expect(admin).toEqual([]) // and nothing asked the admin API
        expect(blocked.length).toBeGreaterThan(0) // Chromium says why
        // The data: image still shows (img-src data:).
        expect(await page.$eval('#dot', (i) => (i as HTMLImageElement).naturalWidth)).toBe(1)
      } finally {
        await browser.close()
      }
    },
    90_000,
  )
  if (!CHROMIUM)
    console.log(
      'content browser test skipped: Debian chromium is not installed (apt-get install chromium; .ci/run does it)',
    )
})
