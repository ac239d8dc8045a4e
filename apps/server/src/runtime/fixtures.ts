import { stat } from 'node:fs/promises'
import type { StorageAdapter } from '@mailfront/core'
import { isLoopback } from '../config.ts'
import { demoFixtures } from '../demo.ts'
import { exportFixtures, loadFixtures, readFixtures } from '../fixtures.ts'
import type { Runtime } from '../runtime.ts'
import { META } from './store.ts'

/**
 * Demo data goes into a new store on loopback (`auto`), always (`on`) or never (`off`); then the
 * MAILFRONT_FIXTURES file and the fixtures given in code. `fresh`: the store was just emptied (reset).
 */
export async function loadStartupFixtures(
  rt: Runtime,
  opts: { fresh?: boolean } = {},
): Promise<{ demo: boolean; loaded: Record<string, number> }> {
  const { config } = rt
  const fresh = opts.fresh ?? rt.newStore
  const demo = config.demo === 'on' || (config.demo === 'auto' && fresh && isLoopback(config.host))
  const loaded: Record<string, number> = {}
  const add = (counts: Record<string, number>) => {
    for (const [k, n] of Object.entries(counts)) loaded[k] = (loaded[k] ?? 0) + n
  }
  const stamp = `${demo}:${config.fixtures ? (await stat(config.fixtures).catch(() => undefined))?.mtimeMs : ''}`
  if (fresh && rt.seeded?.stamp === stamp) {
    add(await loadFixtures('snapshot', rt.seeded.data, rt.plugins, rt.contexts))
    if (demo) await markDemo(rt.storage)
    return { demo, loaded }
  }
  if (demo) {
    add(await loadFixtures('demo', demoFixtures(rt.plugins), rt.plugins, rt.contexts))
    await markDemo(rt.storage)
  }
  if (config.fixtures)
    add(await loadFixtures(config.fixtures, await readFixtures(config.fixtures), rt.plugins, rt.contexts))
  if (rt.inlineFixtures) add(await loadFixtures('fixtures', rt.inlineFixtures, rt.plugins, rt.contexts))
  if (fresh) rt.seeded = { data: await exportFixtures(rt.plugins, rt.contexts), stamp }
  return { demo, loaded }
}

const DEMO_KEY = 'demo_loaded_at'

/** Remembered in the store: a later start (not a new store) still shows the demo logins. */
async function markDemo(storage: StorageAdapter): Promise<void> {
  if (await storage.findOne({ model: META, where: { field: 'key', value: DEMO_KEY } })) return
  await storage
    .create({ model: META, data: { key: DEMO_KEY, value: new Date().toISOString() } })
    .catch(() => undefined) // another instance marked it first
}

/** Whether the demo data was loaded into this store (since its last reset). */
export async function demoPresent(storage: StorageAdapter): Promise<boolean> {
  return !!(await storage.findOne({ model: META, where: { field: 'key', value: DEMO_KEY } }))
}
