import { describe, expect, it } from 'vitest'
import { betterSqlite3, loadDriver, pg, pglite } from './drivers.ts'

describe('optional drivers', () => {
  it('loads the installed ones', async () => {
    expect(typeof betterSqlite3()).toBe('function')
    expect(typeof pg().Pool).toBe('function')
    expect(typeof (await pglite()).PGlite).toBe('function')
  })

  it('names the package to install when a driver is missing', () => {
    expect(() => loadDriver('mailfront-no-such-driver', 'SQLite')).toThrow(
      'the SQLite adapter needs the "mailfront-no-such-driver" package: npm install mailfront-no-such-driver',
    )
  })
})
