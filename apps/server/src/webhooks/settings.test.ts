import { createManualClock, memoryAdapter, type Row, type StorageAdapter, type Where } from '@mailfront/core'
import { withRowCache } from '@mailfront/core/host'
import { describe, expect, it } from 'vitest'
import { WebhookSettings, webhookModels } from './settings.ts'

const A = { url: 'https://a.example.org/hooks', secret: 'secret-of-receiver-a' }
const B = { url: 'https://b.example.org/hooks', secret: 'secret-of-receiver-b' }

/** A store whose reads answer only when let go (`hold`): a read that a write overtakes, as on a pool. */
function heldReads(inner: StorageAdapter) {
  let release: (() => void) | undefined
  let held: Promise<void> | undefined
  const store = new Proxy(inner, {
    get(t, p, r) {
      if (p !== 'findOne') return Reflect.get(t, p, r)
      return async <T extends Row>(a: { model: string; where: Where }) => {
        const row = await t.findOne<T>(a)
        await held
        return row
      }
    },
  })
  return {
    store,
    hold() {
      held = new Promise((r) => {
        release = r
      })
    },
    release() {
      held = undefined
      release?.()
    },
  }
}

describe('the webhook in force', () => {
  it('after a change, the old URL and secret are never read again (a read the change overtook is not kept)', async () => {
    const clock = createManualClock()
    const reads = heldReads(memoryAdapter())
    const storage = withRowCache(reads.store, { clock })
    await storage.migrate(webhookModels)
    const settings = new WebhookSettings(storage)
    await settings.set(A.url, A.secret, clock.now())

    reads.hold()
    const before = settings.current() // reads A, answers after the change
    await settings.set(B.url, B.secret, clock.now())
    reads.release()
    expect(await before).toMatchObject(A)
    // Within the cache's second: the change is seen at once on this instance.
    expect(await settings.current()).toEqual({ ...B, source: 'admin' })
    clock.advance(500)
    expect(await settings.current()).toEqual({ ...B, source: 'admin' })
    await storage.close()
  })

  it('is the admin API’s, else the environment’s, else none; a removal is seen at once', async () => {
    const clock = createManualClock()
    const storage = withRowCache(memoryAdapter(), { clock })
    await storage.migrate(webhookModels)
    const none = new WebhookSettings(storage)
    expect(await none.current()).toBeNull()
    const settings = new WebhookSettings(storage, A)
    expect(await settings.current()).toEqual({ ...A, source: 'env' })
    await settings.set(B.url, B.secret, clock.now())
    expect(await settings.current()).toEqual({ ...B, source: 'admin' })
    expect(await settings.remove()).toBe(true)
    expect(await settings.current()).toEqual({ ...A, source: 'env' })
    expect(await settings.remove()).toBe(false)
    await storage.close()
  })

  it('is read from the store at most once a second per instance (the core row cache)', async () => {
    const clock = createManualClock()
    const inner = memoryAdapter()
    let reads = 0
    const counting = new Proxy(inner, {
      get(t, p, r) {
        if (p !== 'findOne') return Reflect.get(t, p, r)
        return (a: { model: string; where: Where }) => {
          if (a.model === 'core_webhook') reads++
          return t.findOne(a)
        }
      },
    })
    const storage = withRowCache(counting, { clock })
    await storage.migrate(webhookModels)
    const settings = new WebhookSettings(storage)
    await settings.set(A.url, A.secret, clock.now())
    await settings.current()
    await settings.current()
    expect(reads).toBe(1)
    clock.advance(1_000)
    await settings.current()
    expect(reads).toBe(2)
    await storage.close()
  })
})
