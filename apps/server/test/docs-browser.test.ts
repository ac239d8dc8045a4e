import { afterAll, describe, expect, it } from 'vitest'
import { CHROMIUM, launchChromium } from './chromium.ts'
import { type ServerProcess, startServer } from './server-process.ts'

describe('/docs in headless Chromium, with no internet access', () => {
  let srv: ServerProcess | undefined
  afterAll(() => {
    srv?.child.kill('SIGKILL')
  })

  // Skipped only where Debian's chromium is not installed (.ci/run installs it).
  it.skipIf(!CHROMIUM)('renders the operations and sends no request off the machine', async () => {
    srv = await startServer({ MAILFRONT_TLS: 'off' })
    const browser = await launchChromium()
    try {
      const page = await browser.newPage()
      const offMachine: string[] = []
      page.on('request', (r) => {
        const host = new URL(r.url()).hostname
        if (!['127.0.0.1', 'localhost'].includes(host) && !r.url().startsWith('data:'))
          offMachine.push(r.url())
      })
      await page.goto(`${srv.url}/docs`, { waitUntil: 'networkidle' })
      await page.waitForSelector('.opblock-summary-path', { timeout: 15_000 })
      const paths = await page.$$eval('.opblock-summary-path', (els) =>
        els.map((e) => e.textContent?.replace(/\u200b/g, '')),
      )
      expect(paths).toContain('/restful/basic_user/{userId}')
      expect(paths).toContain('/restful/ip_allocation/{userId}')
      expect(offMachine).toEqual([])
    } finally {
      await browser.close()
    }
  })
  if (!CHROMIUM)
    console.log(
      'docs browser test skipped: Debian chromium is not installed (apt-get install chromium; .ci/run does it)',
    )
})
