import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { listenHint } from './listen-hint.ts'

const err = (code: string) => Object.assign(new Error(code), { code })
const ADDRESS = ' (set another listen address: MAILFRONT_HOST or --host)'

describe('listenHint', () => {
  it('points at the listen address when it is not here or names no host', () => {
    for (const code of ['EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN'])
      expect(listenHint(err(code), 'MAILFRONT_PORT', '--port'), code).toBe(ADDRESS)
  })
  it("points at that listener's port otherwise", () => {
    for (const code of ['EADDRINUSE', 'EACCES'])
      expect(listenHint(err(code), 'MAILFRONT_SMTP_PORT', '--smtp-port'), code).toBe(
        ' (set another port: MAILFRONT_SMTP_PORT or --smtp-port)',
      )
    expect(listenHint(new Error('x'), 'MAILFRONT_PORT', '--port')).toBe(
      ' (set another port: MAILFRONT_PORT or --port)',
    )
    expect(listenHint(undefined, 'MAILFRONT_PORT', '--port')).toBe(
      ' (set another port: MAILFRONT_PORT or --port)',
    )
  })
  it('a host name that does not resolve (MAILFRONT_HOST=typo-host) gets the address hint', async () => {
    const server = createServer()
    const e = await new Promise<unknown>((resolve) => {
      server.once('error', resolve)
      server.listen(0, 'typo-host.invalid', () => resolve(undefined))
    })
    server.close()
    expect((e as NodeJS.ErrnoException).code).toMatch(/^(ENOTFOUND|EAI_AGAIN)$/)
    expect(listenHint(e, 'MAILFRONT_PORT', '--port')).toBe(ADDRESS)
  })
})
