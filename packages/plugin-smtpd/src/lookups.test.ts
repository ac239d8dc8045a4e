import { beforeEach, describe, expect, it } from 'vitest'
import { activeProfile, expectError, req, SEND, setup, t } from '../test/harness.ts'

// HTTP tests of the send lookups and the tracking endpoints (the unit-test mail stand-in: see
// test/unit-mail-service.ts; the end-to-end proof is apps/server/test/smtpd-send-e2e.test.ts).

const settle = () => new Promise((r) => setTimeout(r, 20))
beforeEach(async () => {
  await setup({ tracking_base_url: 'https://track.mailfront.test/' })
  await activeProfile()
})

describe('send lookups', () => {
  it('lists the last sends newest first (limit ≤ 1000), searches by recipient (q ≥ 2), one, its content', async () => {
    const ids: string[] = []
    for (const to of ['ann@example.org', 'bob@example.net', 'anna@example.org']) {
      t.ctx.clock.advance(1000)
      ids.push(
        (await req('POST', '/api/v1/email/send', { ...SEND, recipient_email_address: to })).body.send_id,
      )
    }
    const all = await req('GET', '/api/v1/email/send')
    expect(all.body.map((s: { send_id: string }) => s.send_id)).toEqual([...ids].reverse())
    expect((await req('GET', '/api/v1/email/send?limit=2')).body).toHaveLength(2)
    expectError(await req('GET', '/api/v1/email/send?limit=1001'), 'VALIDATION_FAILED')
    expectError(await req('GET', '/api/v1/email/send?limit=0'), 'VALIDATION_FAILED')
    const found = await req('GET', '/api/v1/email/send/search?q=ANN')
    expect(found.body.map((s: { recipient_email_address: string }) => s.recipient_email_address)).toEqual([
      'anna@example.org',
      'ann@example.org',
    ])
    expect((await req('GET', '/api/v1/email/send/search?q=a')).body).toEqual({
      code: 40001,
      message: 'Validation failed: q: at least 2 characters',
    })
    expectError(await req('GET', '/api/v1/email/send/search'), 'VALIDATION_FAILED')
    const one = await req('GET', `/api/v1/email/send/${ids[1]}`)
    expect(one.body).toMatchObject({ send_id: ids[1], recipient_email_address: 'bob@example.net' })
    const html = await req('GET', `/api/v1/email/send/${ids[1]}/content/html`)
    expect(html.status).toBe(200)
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(html.body).toBe(SEND.content_html)
    // The sender's HTML on our origin runs nothing (issue 24, item 2): sandboxed, data: images only.
    expect(html.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'; img-src data:")
    expect(html.headers.get('x-content-type-options')).toBe('nosniff')
    const text = await req('GET', `/api/v1/email/send/${ids[1]}/content/text`)
    expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(text.body).toBe(SEND.content_text)
    expect(text.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'")
    expect(text.headers.get('x-content-type-options')).toBe('nosniff')
    for (const path of ['', '/events', '/content/html', '/content/text'])
      expectError(
        await req('GET', `/api/v1/email/send/00000000-0000-4000-8000-000000000000${path}`),
        'BAD_ID',
      )
  })

  it("never shows another account's sends", async () => {
    const id = (await req('POST', '/api/v1/email/send', SEND)).body.send_id
    await setup()
    expectError(await req('GET', `/api/v1/email/send/${id}`), 'BAD_ID')
  })
})

describe('open and click tracking', () => {
  it('rewrites links and adds the pixel at the configured base; /t/o and /t/c record open and click', async () => {
    const id = (await req('POST', '/api/v1/email/send', SEND)).body.send_id
    const raw = Buffer.from(t.mail.last().raw).toString()
    const body = raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=')
    const click = /https:\/\/track\.mailfront\.test(\/t\/c\/[\w.-]+)/.exec(body)![1]!
    const open = /https:\/\/track\.mailfront\.test(\/t\/o\/[\w.-]+)/.exec(body)![1]!
    expect(body).not.toContain('href="https://example.com/offer')
    // The text part is left as written.
    expect(raw).toContain('Hi, see https://example.com/offer')

    const c = await t.app.request(click, { headers: { 'User-Agent': 'Mozilla/5.0 (Windows NT 10.0)' } })
    expect(c.status).toBe(302)
    expect(c.headers.get('location')).toBe('https://example.com/offer?a=1&b=2')
    const o = await t.app.request(open, { headers: { 'User-Agent': 'Mozilla/5.0 (iPhone; Mobile)' } })
    expect(o.status).toBe(200)
    expect(o.headers.get('content-type')).toBe('image/gif')
    expect(o.headers.get('cache-control')).toBe('no-store, max-age=0')
    expect(
      Buffer.from(await o.arrayBuffer())
        .subarray(0, 6)
        .toString(),
    ).toBe('GIF89a')
    await settle()
    const events = (await req('GET', `/api/v1/email/send/${id}/events`)).body
    expect(events.slice(-2).map((e: { type: string; detail: string }) => [e.type, e.detail])).toEqual([
      ['click', 'https://example.com/offer?a=1&b=2'],
      ['open', ''],
    ])
    const devices = await req('GET', '/api/v1/analysis/engagement/device/summary')
    expect(devices.body).toMatchObject({ total: 2, group_by: { desktop: 1, mobile: 1 } })
  })

  it('refuses forged or swapped tokens (404, nothing recorded); no tracking when not asked', async () => {
    const id = (await req('POST', '/api/v1/email/send', SEND)).body.send_id
    const body = Buffer.from(t.mail.last().raw)
      .toString()
      .replace(/=\r?\n/g, '')
      .replace(/=3D/g, '=')
    const click = /(\/t\/c\/[\w-]+)\.([\w-]+)/.exec(body)!
    const open = /(\/t\/o\/[\w-]+)\.([\w-]+)/.exec(body)!
    expectError(await req('GET', `${click[1]}.${'A'.repeat(22)}`, undefined, null), 'BAD_ID')
    // An open token is no click token, and the other way round.
    expectError(await req('GET', `/t/c/${open[0].slice(5)}`, undefined, null), 'BAD_ID')
    expectError(await req('GET', `/t/o/${click[0].slice(5)}`, undefined, null), 'BAD_ID')
    expectError(await req('GET', '/t/o/garbage', undefined, null), 'BAD_ID')
    expect(
      (await req('GET', `/api/v1/email/send/${id}/events`)).body.map((e: { type: string }) => e.type),
    ).toEqual(['accepted', 'processed'])
    await req('POST', '/api/v1/email/send', { ...SEND, open_tracking: false, click_tracking: false })
    const plain = Buffer.from(t.mail.last().raw).toString()
    expect(plain).not.toContain('/t/o/')
    expect(plain).not.toContain('/t/c/')
  })
})
