import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

// The core's declarations as users get them (dist/, built by this project's global setup): what a
// plugin author or a host reads must say what it is, never `any`.
const DIST = join(import.meta.dirname, '../dist')

/** `file:line: text` of every `any` in the emitted .d.ts files, comments and strings aside. */
function anyInDeclarations(): string[] {
  const files = readdirSync(DIST, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.d.ts'))
  expect(files.length).toBeGreaterThan(10)
  return files.flatMap((f) => {
    const text = readFileSync(join(DIST, f), 'utf8')
      // Comments and string literals, kept line for line.
      .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '))
      .replace(/\/\/.*$/gm, '')
      .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, (m) => m.replace(/[^\n]/g, ' '))
    return text
      .split('\n')
      .flatMap((line, i) => (/\bany\b/.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : []))
  })
}

describe("the core's public types", () => {
  it('have no `any` in the emitted declarations', () => {
    expect(anyInDeclarations()).toEqual([])
  })
})

describe("the core's two faces", () => {
  const HOST_ONLY = [
    'preparePlugin',
    'assertNoCollisions',
    'hostRouting',
    'withRowCache',
    'redisRateLimitStore',
    'buildPluginApp',
    'routePluginApp',
    'validatePlugins',
    'aroundStorageMethods',
  ]

  it('the root export is the plugin-author API; host internals are in @mailfront/core/host', async () => {
    const root = await import('@mailfront/core')
    const host = await import('@mailfront/core/host')
    for (const name of HOST_ONLY) {
      expect(root, name).not.toHaveProperty(name)
      expect(host, name).toHaveProperty(name)
    }
    // What a plugin's users call stays at the root.
    expect(root).toHaveProperty('mountPlugin')
    expect(root).toHaveProperty('definePlugin')
  })

  it('no plugin imports the host face', () => {
    const packages = join(import.meta.dirname, '../..')
    const plugins = readdirSync(packages).filter((d) => d.startsWith('plugin-'))
    expect(plugins.length).toBeGreaterThan(4)
    for (const p of plugins) {
      const src = join(packages, p, 'src')
      for (const f of readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) =>
        f.endsWith('.ts'),
      ))
        expect(readFileSync(join(src, f), 'utf8'), `${p}/src/${f}`).not.toContain('@mailfront/core/host')
    }
  })
})
