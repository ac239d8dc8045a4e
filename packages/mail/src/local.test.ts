import {
  createManualClock,
  type LocalDelivery,
  type LocalDeliveryInput,
  MailRejection,
  memoryAdapter,
} from '@mailfront/core'
import { describe, expect, it } from 'vitest'
import { mailModels } from './models.ts'
import type { Relay } from './relay.ts'
import { createMailPipeline } from './service.ts'
import { startWorker } from './worker.ts'

// Hosted recipients (a plugin's `localDelivery`): refused at submit, delivered locally in either
// mode, the plugin's `delivered` hook run before the entry is marked delivered and retried on failure.

const RAW = new TextEncoder().encode(
  'From: a@example.com\r\nSubject: Hi\r\nMessage-ID: <m1@example.com>\r\n\r\nBody\r\n',
)

/** A plugin hosting `*@hosted.test`: `blocked@…` refuses everyone, `spam@example.com` is blacklisted. */
function hostedPlugin() {
  const calls: LocalDeliveryInput[] = []
  let failures = 0
  const d: LocalDelivery & { calls: LocalDeliveryInput[]; fail(n: number): void } = {
    calls,
    fail(n) {
      failures = n
    },
    async checkRecipient(from, rcpt) {
      if (!rcpt.endsWith('@hosted.test')) return false
      if (rcpt.startsWith('blocked@')) throw new MailRejection(550, '5.2.1 mailbox disabled')
      if (from === 'spam@example.com')
        throw new MailRejection(550, `5.7.1 <${rcpt}>: sender blocked by recipient`)
      return true
    },
    async delivered(input) {
      if (failures > 0) {
        failures--
        throw new Error('store down')
      }
      calls.push(input)
      return `kept for ${input.recipient}`
    },
  }
  return d
}

async function setup(mode: 'capture' | 'relay' = 'capture') {
  const storage = memoryAdapter()
  await storage.migrate(mailModels)
  const clock = createManualClock(Date.UTC(2026, 5, 10, 12))
  const p = createMailPipeline({ storage, clock, hostname: 'mx.test' })
  const plugin = hostedPlugin()
  p.local.add('hoster', plugin)
  const relayed: string[] = []
  const relay: Relay = {
    async send(env) {
      relayed.push(env.to)
      return { kind: 'delivered', response: '250 OK' }
    },
    async close() {},
  }
  const w = startWorker(p, { mode, relay, pollMs: 60_000, retryDelayMs: 1000 })
  return { p, clock, plugin, relayed, w }
}

const input = (to: string[], from = 'a@example.com') => ({
  envelope: { from, to },
  raw: RAW,
  plugin: 'authsmtp',
  via: 'api' as const,
})

describe('hosted recipients at submit', () => {
  it('answers which plugin hosts an address, and refuses with the plugin’s rejection', async () => {
    const { p, w } = await setup()
    expect(await p.local.check('a@example.com', 'x@elsewhere.test')).toBeNull()
    expect(await p.local.check('a@example.com', 'x@hosted.test')).toBe('hoster')
    await expect(p.local.check('spam@example.com', 'x@hosted.test')).rejects.toMatchObject({ code: 550 })
    expect(() => p.local.add('hoster', hostedPlugin())).toThrow('added twice')
    await w.stop()
  })

  it('refuses a submission whose every recipient is refused, storing nothing', async () => {
    const { p, w } = await setup()
    const e = await p.submit(input(['x@hosted.test'], 'spam@example.com')).catch((x) => x)
    expect(e).toBeInstanceOf(MailRejection)
    expect([e.code, e.message]).toEqual([550, '5.7.1 <x@hosted.test>: sender blocked by recipient'])
    expect(await p.list()).toEqual([])
    await w.stop()
  })

  it('accepts the others and bounces a refused recipient at once, with one DSN', async () => {
    const { p, w } = await setup()
    const m = await p.submit(input(['x@hosted.test', 'out@example.org', 'blocked@hosted.test']))
    expect(m.recipients.map((r) => [r.recipient, r.state, r.lastResponse])).toEqual([
      ['x@hosted.test', 'queued', undefined],
      ['out@example.org', 'queued', undefined],
      ['blocked@hosted.test', 'bounced', '550 5.2.1 mailbox disabled'],
    ])
    expect((await p.get(m.id))!.recipients[2]).toEqual(m.recipients[2])
    const dsn = (await p.list()).find((x) => x.via === 'dsn')!
    expect(dsn.envelope).toEqual({ from: '', to: ['a@example.com'] })
    expect(Buffer.from((await p.raw(dsn.id))!).toString()).toContain('Status: 5.2.1')
    await w.stop()
  })
})

describe('local delivery', () => {
  it('capture: runs the hook for hosted entries only, then marks them delivered with its note', async () => {
    const { p, plugin, w } = await setup()
    const m = await p.submit(input(['x@hosted.test', 'out@example.org']))
    await w.runOnce()
    const after = (await p.get(m.id))!
    expect(after.recipients.map((r) => [r.recipient, r.state, r.lastResponse])).toEqual([
      ['x@hosted.test', 'delivered', 'delivered locally: kept for x@hosted.test'],
      ['out@example.org', 'delivered', 'captured'],
    ])
    expect(plugin.calls).toHaveLength(1)
    expect(plugin.calls[0]!.message.id).toBe(m.id)
    expect(Buffer.from(plugin.calls[0]!.raw).toString()).toBe(Buffer.from(RAW).toString())
    await w.stop()
  })

  it('relay: hosted recipients never reach the relay', async () => {
    const { p, plugin, relayed, w } = await setup('relay')
    const m = await p.submit(input(['x@hosted.test', 'out@example.org']))
    await w.runOnce()
    expect(relayed).toEqual(['out@example.org'])
    expect(plugin.calls.map((c) => c.recipient)).toEqual(['x@hosted.test'])
    expect((await p.get(m.id))!.recipients.map((r) => r.lastResponse)).toEqual([
      'delivered locally: kept for x@hosted.test',
      '250 OK',
    ])
    await w.stop()
  })

  it('a failing hook defers the entry; the retry delivers it, the hook run once more', async () => {
    const { p, plugin, clock, w } = await setup()
    plugin.fail(1)
    const m = await p.submit(input(['x@hosted.test']))
    await w.runOnce()
    expect((await p.get(m.id))!.recipients[0]).toMatchObject({
      state: 'deferred',
      attempts: 1,
      lastResponse: 'local delivery failed: store down',
      nextAttemptAt: clock.now() + 1000,
    })
    clock.advance(1000)
    await w.runOnce()
    expect((await p.get(m.id))!.recipients[0]).toMatchObject({ state: 'delivered', attempts: 2 })
    expect(plugin.calls).toHaveLength(1)
    await w.stop()
  })

  it('a DSN to a hosted sender is delivered locally too', async () => {
    const { p, plugin, w } = await setup()
    await p.submit(input(['blocked@hosted.test', 'ok@hosted.test'], 'me@hosted.test'))
    const dsn = (await p.list()).find((x) => x.via === 'dsn')!
    expect(dsn.envelope).toEqual({ from: '', to: ['me@hosted.test'] })
    await w.runOnce()
    expect(plugin.calls.map((c) => c.recipient).sort()).toEqual(['me@hosted.test', 'ok@hosted.test'])
    await w.stop()
  })
})
