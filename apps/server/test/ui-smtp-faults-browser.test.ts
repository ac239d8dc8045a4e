import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import nodemailer from 'nodemailer'
import { afterAll, describe, expect, it } from 'vitest'
import { CHROMIUM, launchChromium } from './chromium.ts'
import { type ServerProcess, smtpPortOf, startServer } from './server-process.ts'

/** Where the screenshots go, to be looked at (as ui-browser.test.ts's; importing it would run its test). */
const SHOTS = join(import.meta.dirname, '../../../.artifacts')

describe("the UI's fault form, SMTP choice, in headless Chromium", () => {
  let srv: ServerProcess | undefined
  afterAll(() => {
    srv?.child.kill('SIGKILL')
  })

  // Skipped only where Debian's chromium is not installed (.ci/run installs it).
  it.skipIf(!CHROMIUM)(
    'adds a stage fault and a rate limit that nodemailer then meets',
    async () => {
      srv = await startServer({ MAILFRONT_TLS: 'off', MAILFRONT_DEMO: 'on' })
      const port = await smtpPortOf(srv)
      const browser = await launchChromium()
      try {
        const page = await browser.newPage({ viewport: { width: 1400, height: 700 } })
        page.setDefaultTimeout(10_000)
        const errors: string[] = []
        page.on('pageerror', (e) => errors.push(e.message))
        await page.goto(`${srv.url}/#faults`, { waitUntil: 'domcontentloaded' })
        await page.waitForSelector('#fault-form select[name=plugin] option[value=smtp]', {
          state: 'attached',
        })
        // The HTTP fields until smtp is chosen; then the stage, reply and drop.
        expect(await page.isVisible('#fault-form input[name=error]')).toBe(true)
        expect(await page.isVisible('#fault-form input[name=reply]')).toBe(false)
        await page.selectOption('#fault-form select[name=plugin]', 'smtp')
        await page.waitForSelector('#fault-form input[name=reply]', { state: 'visible' })
        expect(await page.isVisible('#fault-form input[name=error]')).toBe(false)
        expect(await page.isVisible('#fault-form input[name=messages]')).toBe(false)
        await page.selectOption('#fault-form select[name=stage]', 'rcpt')
        await page.fill('#fault-form input[name=reply]', '451 4.7.1 try later')
        await page.fill('#fault-form input[name=count]', '1')
        await page.fill('#fault-form input[name=probability]', '1')
        await page.click('#fault-form button[type=submit]')
        await page.waitForFunction(() =>
          document.querySelector('#fault-list')?.textContent?.includes('451 4.7.1 try later'),
        )

        const smtp = nodemailer.createTransport({
          host: '127.0.0.1',
          port,
          auth: { user: 'aa12345', pass: 'demo-smtp-password' },
        })
        const mail = {
          envelope: { from: 'sales@example.com', to: ['customer@example.org'] },
          subject: 'ui fault',
          text: 'hi',
        }
        await expect(smtp.sendMail(mail)).rejects.toMatchObject({
          responseCode: 451,
          response: '451 4.7.1 try later',
        })

        // A rate limit: its own fields; a bad reply: the server's error in the panel.
        await page.selectOption('#fault-form select[name=stage]', 'rateLimit')
        await page.waitForSelector('#fault-form input[name=messages]', { state: 'visible' })
        expect(await page.isVisible('#fault-form input[name=reply]')).toBe(false)
        await page.fill('#fault-form input[name=messages]', '5')
        await page.fill('#fault-form input[name=perSeconds]', '60')
        await page.fill('#fault-form input[name=count]', '')
        await page.click('#fault-form button[type=submit]')
        await page.waitForFunction(() =>
          document.querySelector('#fault-list')?.textContent?.includes('421 after 5 messages per 60 s'),
        )
        await page.selectOption('#fault-form select[name=stage]', 'data')
        await page.fill('#fault-form input[name=reply]', '250 fine')
        await page.check('#fault-form input[name=drop]')
        await page.fill('#fault-form input[name=latencyMs]', '200')
        await page.click('#fault-form button[type=submit]')
        await page.waitForFunction(() =>
          document
            .querySelector('#faults .notice')
            ?.textContent?.startsWith('reply: the code must be a failure'),
        )
        await page.fill('#fault-form input[name=reply]', '')
        await page.click('#fault-form button[type=submit]')
        await page.waitForFunction(() => document.querySelector('#fault-list')?.textContent?.includes('DATA'))
        mkdirSync(SHOTS, { recursive: true })
        await page.screenshot({ path: join(SHOTS, 'ui-smtp-faults.png'), fullPage: false })
        expect(errors).toEqual([])
      } finally {
        await browser.close()
      }
    },
    60_000,
  )
})
