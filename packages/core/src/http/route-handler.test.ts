import type { Context } from 'hono'
import { describe, expect, it } from 'vitest'
import { andThen, oneHandler, type Step } from './route-handler.ts'

const c = {} as Context
const answer = new Response('step')

describe('andThen', () => {
  it('calls on at once for a plain value, and after the promise for a promise', async () => {
    expect(andThen(2, (x) => x + 1)).toBe(3)
    const p = andThen(Promise.resolve(2), (x) => x + 1)
    expect(p).toBeInstanceOf(Promise)
    expect(await p).toBe(3)
  })
})

describe('oneHandler', () => {
  it('runs the steps in order, then the handler, with no promise when no step made one', () => {
    const seen: string[] = []
    const step =
      (name: string): Step =>
      () =>
        void seen.push(name)
    const h = oneHandler([step('a'), step('b')], () => {
      seen.push('handler')
      return 'done'
    })
    expect(h(c)).toBe('done')
    expect(seen).toEqual(['a', 'b', 'handler'])
  })

  it('waits for a step that waits, then runs the rest', async () => {
    const seen: string[] = []
    const h = oneHandler(
      [async () => void seen.push('async'), () => void seen.push('sync')],
      () => seen.push('handler') && 'done',
    )
    const out = h(c)
    expect(seen).toEqual(['async'])
    expect(await out).toBe('done')
    expect(seen).toEqual(['async', 'sync', 'handler'])
  })

  it("answers a step's Response instead of going on, at once or after its wait", async () => {
    let ran = 0
    const rest: Step = () => void ran++
    expect(oneHandler([() => answer, rest], () => ran++)(c)).toBe(answer)
    expect(await oneHandler([async () => answer, rest], () => ran++)(c)).toBe(answer)
    expect(ran).toBe(0)
  })

  it("lets a step's error through, thrown or rejected (the app's error handler renders it)", async () => {
    const boom = new Error('boom')
    const thrown = oneHandler(
      [
        () => {
          throw boom
        },
      ],
      () => 'never',
    )
    expect(() => thrown(c)).toThrow(boom)
    await expect(oneHandler([() => Promise.reject(boom)], () => 'never')(c)).rejects.toBe(boom)
  })
})
