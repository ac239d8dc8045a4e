// The real `mailfront serve` process with MAILFRONT_WEBHOOK_URL/_SECRET: nodemailer submits, the
// receiver on loopback checks each signature, the Webhooks panel in headless Chromium shows the
// delivery log (a screenshot to look at), the secret is in no log line, and a stop gives a waiting
// retry its last attempt instead of losing it.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import nodemailer from 'nodemailer'
import { afterAll, describe, expect, it } from 'vitest'
import { CHROMIUM, launchChromium } from './chromium.ts'
import { logLines, type ServerProcess, smtpPortOf, startServer } from './server-process.ts'
import { event, type Receiver, signedBy, startReceiver } from './webhook-receiver.ts'

const SHOTS = join(import.meta.dirname, '../../../.artifacts')
const SECRET = 'e2e-webhook-secret-4b1d9e'

const signed = (r: Receiver['received'][number]) => signedBy(SECRET, r)

describe('webhooks from the real server process', () => {
  let srv: ServerProcess | undefined
  let receiver: Receiver | undefined
  afterAll(async () => {
    srv?.child.kill('SIGKILL')
    await receiver?.close()
  })

  it('signs each delivery, shows the log in the Webhooks panel, logs no secret, and flushes at stop', async () => {
    receiver = await startReceiver()
    srv = await startServer({
      MAILFRONT_TLS: 'off',
      MAILFRONT_DEMO: 'off',
      MAILFRONT_SMTP_AUTH: 'any',
      MAILFRONT_WEBHOOK_URL: receiver.url,
      MAILFRONT_WEBHOOK_SECRET: SECRET,
    })
    const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: await smtpPortOf(srv) })
    receiver.answer(500) // the first delivery fails: the log shows a retry waiting
    await smtp.sendMail({ from: 'app@example.com', to: 'dev@example.org', subject: 'One', text: '1' })
    await smtp.sendMail({ from: 'app@example.com', to: 'ops@example.org', subject: 'Two', text: '2' })
    // Captured mail is received, then delivered (captured): four events.
    await receiver.until((rs) => rs.length >= 4, 'two message.received and two message.delivered')
    expect(receiver.received.map((r) => event(r).type).sort()).toEqual([
      'message.delivered',
      'message.delivered',
      'message.received',
      'message.received',
    ])
    for (const r of receiver.received) expect(signed(r)).toBe(true)
    // The failed one's retry is due 10 s later by the server's clock, which follows real time: a slow
    // Chromium start would meet it. Set the clock an hour back, so only the stop below sends it.
    const back = await fetch(`${srv.url}/_mailfront/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advance: '-1h' }),
    })
    expect(back.status).toBe(200)

    if (CHROMIUM) {
      const browser = await launchChromium()
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 640 } })
        await page.goto(`${srv.url}/#webhooks`)
        await page.waitForSelector('#webhook-list tbody tr:nth-child(4)')
        expect(await page.textContent('#webhook-url')).toBe(receiver.url)
        expect(await page.textContent('#webhook-config')).toContain('set by MAILFRONT_WEBHOOK_URL')
        const rows = await page.$$eval('#webhook-list tbody tr', (trs) =>
          trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)),
        )
        // Each attempt a row: the first delivery's 500 (a retry waiting), the three others' 200.
        expect(rows).toHaveLength(4)
        expect(rows.filter((r) => r[6] === 'retrying').map((r) => [r[1], r[3], r[4]])).toEqual([
          [event(receiver.received[0]!).type, '1', '500'],
        ])
        expect(rows.filter((r) => r[6] === 'delivered').map((r) => r[4])).toEqual(['200', '200', '200'])
        expect(await page.content()).not.toContain(SECRET)
        mkdirSync(SHOTS, { recursive: true })
        await page.screenshot({ path: join(SHOTS, 'webhooks-panel.png'), fullPage: true })
        expect(await page.isDisabled('#webhook-remove')).toBe(true) // the environment's: not removable here

        // The form sets the admin API's webhook (its secret is not shown back), Remove drops it.
        const other = `${receiver.url}?via=ui`
        await page.fill('#webhook-form input[name=url]', other)
        await page.fill('#webhook-form input[name=secret]', `${SECRET}-ui`)
        await page.click('#webhook-form button[type=submit]')
        await page.waitForFunction(() =>
          document.querySelector('#webhook-config')?.textContent?.includes('admin API'),
        )
        expect(await page.textContent('#webhook-url')).toBe(other)
        expect(await page.inputValue('#webhook-form input[name=secret]')).toBe('')
        expect(await page.content()).not.toContain(`${SECRET}-ui`)
        await page.click('#webhook-remove')
        // 'set by …': the admin API's line names MAILFRONT_WEBHOOK_URL too (as what comes back).
        await page.waitForFunction(() =>
          document.querySelector('#webhook-config')?.textContent?.includes('set by MAILFRONT_WEBHOOK_URL'),
        )
        expect(await page.textContent('#webhook-url')).toBe(receiver.url)
      } finally {
        await browser.close()
      }
    } else console.log('[webhooks-browser] panel not shown: no Chromium (.ci/run installs it)')

    // The failed one is due again in an hour by the server's clock; a stop sends it now, once.
    const failed = event(receiver.received[0]!).id
    srv.child.kill('SIGTERM')
    expect(await srv.exited).toBe(0)
    const again = receiver.received.filter((r) => event(r).id === failed)
    expect(again).toHaveLength(2)
    expect(signed(again[1]!)).toBe(true)
    expect(logLines(srv.output())).not.toContain(SECRET)
    expect(srv.output()).not.toContain(SECRET)
  })
})
