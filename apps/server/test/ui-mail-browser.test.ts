import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import nodemailer from 'nodemailer'
import { afterAll, describe, expect, it } from 'vitest'
import { CHROMIUM, launchChromium } from './chromium.ts'
import { type ServerProcess, smtpPortOf, startServer } from './server-process.ts'

/** Where the screenshots go, to be looked at (as ui-browser.test.ts's; importing it would run its test). */
const SHOTS = join(import.meta.dirname, '../../../.artifacts')

/** A 2×2 red PNG, referenced by cid: from the HTML part. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
)
const PDF = Buffer.from('%PDF-1.4\n% mailfront test attachment \x00\x01\x02\xff\n%%EOF\n', 'latin1')

describe('the mail panel in headless Chromium', () => {
  let srv: ServerProcess | undefined
  afterAll(() => {
    srv?.child.kill('SIGKILL')
  })

  // Skipped only where Debian's chromium is not installed (.ci/run installs it).
  it.skipIf(!CHROMIUM)(
    'lays out list and detail side by side at 1024 and 1400 px, downloads, shows cid: images, searches, resets after asking',
    async () => {
      srv = await startServer({ MAILFRONT_TLS: 'off', MAILFRONT_DEMO: 'on', MAILFRONT_SMTP_AUTH: 'any' })
      const url = srv.url
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: await smtpPortOf(srv) })
      for (let i = 1; i <= 12; i++)
        await transport.sendMail({
          from: `newsletter-${i}@a-rather-long-sender-domain.example.com`,
          to: `recipient-number-${i}@another-long-recipient-domain.example.org`,
          subject: `Weekly digest number ${i} with a subject long enough to need cutting short in the list`,
          text: `digest ${i}`,
        })
      await transport.sendMail({
        from: 'Jörg <joerg@example.com>',
        to: 'you@example.org',
        subject: 'Plain words only',
        text: 'Nothing but text: the marmalade is in the cupboard.',
      })
      await transport.sendMail({
        from: 'shop@example.com',
        to: 'you@example.org',
        subject: 'Your invoice',
        html: '<h1>Invoice</h1><p><img id="logo" src="cid:logo@shop" width="20" height="20"> Thanks</p>',
        attachments: [
          { filename: 'logo.png', content: PNG, cid: 'logo@shop' },
          { filename: 'invoice.pdf', content: PDF, contentType: 'application/pdf' },
        ],
      })
      transport.close()

      const browser = await launchChromium()
      try {
        mkdirSync(SHOTS, { recursive: true })
        for (const [width, height] of [
          [1024, 768],
          [1400, 1000],
        ] as const) {
          const page = await browser.newPage({ viewport: { width, height }, acceptDownloads: true })
          page.setDefaultTimeout(10_000)
          const errors: string[] = []
          page.on('pageerror', (e) => errors.push(e.message))
          await page.goto(`${url}/#mail`, { waitUntil: 'domcontentloaded' })
          await page.waitForSelector('#mail-list tbody tr:has-text("Your invoice")')
          expect(await page.textContent('#mail-total')).toBe('1–14 of 14')

          // The attachment message: cid: image inline, attachments listed with download links.
          await page.click('#mail-list tbody tr:has-text("Your invoice")')
          await page.waitForSelector('#mail-view iframe')
          const frame = page.frameLocator('#mail-view iframe')
          await frame.locator('#logo').waitFor()
          await expect
            .poll(() => frame.locator('#logo').evaluate((img: HTMLImageElement) => img.naturalWidth))
            .toBe(2)
          const list = (await page.locator('#mail .list').boundingBox())!
          const detail = (await page.locator('#mail-detail').boundingBox())!
          // Side by side, never overlapping; nothing scrolls sideways.
          expect(list.x + list.width).toBeLessThanOrEqual(detail.x)
          expect(detail.x + detail.width).toBeLessThanOrEqual(width)
          const scroll = () =>
            page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth])
          const [sw, cw] = await scroll()
          expect(sw).toBeLessThanOrEqual(cw!)
          // Each list cell stays inside the list's box.
          const cells = await page.$$eval('#mail-list tbody tr:first-child td', (tds) =>
            tds.map((td) => td.getBoundingClientRect().right),
          )
          for (const r of cells) expect(r).toBeLessThanOrEqual(list.x + list.width + 1)
          await page.screenshot({ path: join(SHOTS, `ui-mail-${width}.png`) })

          const [download] = await Promise.all([
            page.waitForEvent('download'),
            page.click('#mail-attachments a:has-text("invoice.pdf")'),
          ])
          expect(download.suggestedFilename()).toBe('invoice.pdf')
          expect(readFileSync((await download.path())!).equals(PDF)).toBe(true)

          // A text-only message opens on its text; its From header is decoded.
          await page.click('#mail-list tbody tr:has-text("Plain words only")')
          await page.waitForSelector('#mail-views button.active[data-view=text]')
          expect(await page.textContent('#mail-view pre')).toContain('marmalade')
          await page.click('#mail-views button[data-view=headers]')
          await page.waitForFunction(() =>
            document.querySelector('#mail-view pre')?.textContent?.includes('Jörg'),
          )

          // Search: a word from a body.
          await page.fill('#mail-search input[name=q]', 'marmalade')
          await page.click('#mail-search button[type=submit]')
          await page.waitForFunction(
            () => document.querySelector('#mail-total')?.textContent === '1–1 of 1 found',
          )
          expect(await page.$$eval('#mail-list tbody tr', (rows) => rows.map((r) => r.textContent))).toEqual([
            expect.stringContaining('Plain words only'),
          ])
          await page.fill('#mail-search input[name=q]', '')
          await page.click('#mail-search button[type=submit]')
          await page.waitForFunction(
            () => document.querySelector('#mail-total')?.textContent === '1–14 of 14',
          )

          // The State panel: demo logins shown, nested data never widens the page.
          await page.click('#tabs button[data-panel=state]')
          await page.waitForSelector('#state .plugin[data-plugin=mailboxorg] table')
          expect(await page.textContent('#demo')).toContain('aa12345 / demo-smtp-password')
          const [sw2, cw2] = await scroll()
          expect(sw2).toBeLessThanOrEqual(cw2!)
          await page.screenshot({ path: join(SHOTS, `ui-state-${width}.png`) })
          expect(errors).toEqual([])
          await page.close()
        }

        // Reset asks first: dismissed, nothing happens; accepted, the list and the detail empty.
        const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
        page.setDefaultTimeout(15_000)
        await page.goto(`${url}/#mail`, { waitUntil: 'domcontentloaded' })
        await page.click('#mail-list tbody tr:has-text("Your invoice")')
        await page.waitForSelector('#mail-view iframe')
        const asked: string[] = []
        page.once('dialog', (d) => {
          asked.push(d.message())
          void d.dismiss()
        })
        await page.click('#reset')
        expect(asked).toEqual([
          'Reset: empty the store (captured mail included) and load the fixtures again?',
        ])
        expect(await page.textContent('#mail-summary')).toContain('Your invoice')
        page.once('dialog', (d) => void d.accept())
        await page.click('#reset')
        await page.waitForFunction(() =>
          document.querySelector('#mail-list tbody')?.textContent?.includes('no mail yet'),
        )
        expect(await page.textContent('#mail-summary')).toBe('')
        expect(await page.isVisible('#mail-actions')).toBe(false)
        expect(await page.textContent('#progress')).toMatch(/^reset in \d+ ms$/)
        await page.screenshot({ path: join(SHOTS, 'ui-mail-after-reset.png') })
        await page.close()
      } finally {
        await browser.close()
      }
    },
    120_000,
  )
})
