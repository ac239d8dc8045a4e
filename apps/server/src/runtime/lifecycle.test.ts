import { type Logger, silentLogger } from '@mailfront/core'
import { describe, expect, it } from 'vitest'
import { Background, closeInTurn } from './lifecycle.ts'

describe('closing the server', () => {
  it('runs every step even when one before fails (the store down), logs it, and rejects with the first failure', async () => {
    const errors: { obj: Record<string, unknown>; msg: string }[] = []
    const log = {
      ...silentLogger,
      error: (obj: Record<string, unknown>, msg: string) => errors.push({ obj, msg }),
    } as unknown as Logger
    const done: string[] = []
    const down = new Error('store unreachable')
    const closing = closeInTurn(log, [
      ['webhooks', () => Promise.reject(down)],
      ['plugins', async () => done.push('plugins')],
      ['rate-limit store', () => Promise.reject(new Error('later'))],
      ['store', async () => done.push('store')],
    ])
    await expect(closing).rejects.toBe(down)
    expect(done).toEqual(['plugins', 'store'])
    expect(errors.map((e) => [e.obj.step, e.msg])).toEqual([
      ['webhooks', 'a part of the server failed to close'],
      ['rate-limit store', 'a part of the server failed to close'],
    ])
  })

  it('stops every background task even when one fails', async () => {
    const bg = new Background()
    const done: string[] = []
    const first = new Error('worker')
    bg.add(
      () => Promise.reject(first),
      async () => {
        done.push('b')
      },
    )
    await expect(bg.stop()).rejects.toBe(first)
    expect(done).toEqual(['b'])
  })
})
