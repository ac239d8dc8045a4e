// @hono/node-server's light Response keeps what it was built from, `[status, body, headers]`, under a
// private symbol (`Symbol('cache')`) until someone reads `.headers` or the body; the server writes it
// from there with one `writeHead(status, headers)`. The symbol is found once, on the first response.
let cacheSymbol: symbol | null | undefined

export type LightCache = [status: number, body: unknown, headers: unknown]

/** The light Response's own tuple, or undefined (a standard Response, or one already materialised). */
export function lightCache(res: Response): LightCache | undefined {
  if (cacheSymbol === undefined) {
    const syms = Object.getOwnPropertySymbols(res)
    if (!syms.length) return undefined
    cacheSymbol = syms.find((s) => s.description === 'cache') ?? null
  }
  return cacheSymbol ? (res as unknown as Record<symbol, LightCache | undefined>)[cacheSymbol] : undefined
}

/**
 * Put a header first in a light Response's plain header object (a copy: handlers may share one), so
 * Node's `writeHead(status, headers)` stays on its fast path. False when the answer has no plain object.
 */
export function addPlainHeader(res: Response, name: string, value: string): boolean {
  const cache = lightCache(res)
  const h = cache?.[2]
  if (!h || typeof h !== 'object' || h instanceof Headers || Array.isArray(h)) return false
  cache[2] = { [name]: value, ...(h as Record<string, string>) }
  return true
}
