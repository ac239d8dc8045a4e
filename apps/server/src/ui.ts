import { readFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Hono } from 'hono'

/** The state UI's files, shipped in the package (apps/server/ui), served by mailfront itself. */
export const UI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../ui')

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/ui/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/ui/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
  '/ui/webhooks.js': { file: 'webhooks.js', type: 'text/javascript; charset=utf-8' },
}

/** GET / and its assets. They hold no data: everything shown comes from /_mailfront/*. */
export function uiRoutes(root: Hono<any>): void {
  const cache = new Map<string, Buffer>()
  for (const [path, { file, type }] of Object.entries(FILES))
    root.get(path, async (c) => {
      let buf = cache.get(file)
      if (!buf) {
        buf = await readFile(join(UI_DIR, file))
        cache.set(file, buf)
      }
      return c.body(new Uint8Array(buf), 200, {
        'Content-Type': type,
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
        ...(file === 'index.html'
          ? {
              'Content-Security-Policy':
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'",
            }
          : {}),
      })
    })
}
