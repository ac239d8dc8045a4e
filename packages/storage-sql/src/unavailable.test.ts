import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { StoreUnavailableError } from '@mailfront/core'
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { postgresAdapter, sqliteAdapter } from './index.ts'
import { connectError, isStoreOutage } from './unavailable.ts'

const models = { t_outage: { fields: { name: { type: 'string' as const } } } }

describe('outage classification', () => {
  it.each([
    [{ code: '57P01', message: 'terminating connection due to administrator command' }],
    [{ code: '57P02' }],
    [{ code: '57P03', message: 'the database system is starting up' }],
    [{ code: '08006' }],
    [{ code: '08001' }],
    [{ code: '53300', message: 'too many connections' }],
    [{ code: 'ECONNREFUSED' }],
    [{ code: 'ECONNRESET' }],
    [new Error('Connection terminated unexpectedly')],
    [new Error('Client has encountered a connection error and is not queryable')],
    [new Error('timeout exceeded when trying to connect')],
    [Object.assign(new AggregateError([{ code: 'ECONNREFUSED' }]), {})],
    [{ code: 'SQLITE_IOERR' }],
    [{ code: 'SQLITE_IOERR_WRITE' }],
    [{ code: 'SQLITE_BUSY' }],
    [{ code: 'SQLITE_BUSY_SNAPSHOT' }],
    [{ code: 'SQLITE_CANTOPEN' }],
    [{ code: 'SQLITE_FULL' }],
    // By meaning, not by a list: every state of classes 08, 53 and 57P.
    [{ code: '08P01' }],
    [{ code: '53100', message: 'could not extend file: No space left on device' }],
    [{ code: '53200', message: 'out of memory' }],
    [{ code: '57P04', message: 'database dropped' }],
    [{ code: '57P05' }],
    [{ code: 'ETIMEDOUT' }],
    [{ code: 'EPIPE' }],
    [{ code: 'ENOTFOUND' }],
    [{ code: 'EHOSTUNREACH' }],
    [{ code: 'ENETUNREACH' }],
    [{ code: 'EAI_AGAIN' }],
    [
      new Error('timeout exceeded when trying to connect', {
        cause: new Error('Connection terminated due to connection timeout'),
      }),
    ],
  ])('%o is an outage', (e) => {
    expect(isStoreOutage(e)).toBe(true)
  })
  it.each([
    [{ code: '55000', message: 'database "x" is not currently accepting connections' }],
    [{ code: '3D000', message: 'database "x" does not exist' }],
    [{ code: '28P01', message: 'password authentication failed for user "u"' }],
    [{ code: '28000', message: 'no pg_hba.conf entry for host' }],
  ])('%o is an outage while connecting, a bug on a running query', (e) => {
    expect(isStoreOutage(e, true)).toBe(true)
    expect(isStoreOutage({ ...e })).toBe(false)
    expect(isStoreOutage(connectError({ ...e }))).toBe(true)
  })
  it.each([
    [{ code: '23505' }],
    [{ code: '42P01', message: 'relation "x" does not exist' }],
    [{ code: 'SQLITE_CONSTRAINT_UNIQUE' }],
    [{ code: 'SQLITE_ERROR' }],
    [{ code: '57014', message: 'canceling statement due to statement timeout' }],
    [{ code: '55P03', message: 'could not obtain lock' }],
    [{ code: '22P02' }],
    [{ code: '0800' }],
    [new Error('boom')],
    [null],
    ['text'],
  ])('%o is not', (e) => {
    expect(isStoreOutage(e)).toBe(false)
  })
})

describe('SQLite outages', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailfront-outage-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('a lock held past busy_timeout is StoreUnavailableError, and the store serves again once free', async () => {
    const file = join(dir, 'busy.db')
    const db = sqliteAdapter({ filename: file, busyTimeoutMs: 50 })
    await db.migrate(models)
    const other = new Database(file)
    other.exec('BEGIN EXCLUSIVE')
    const err = await db.create({ model: 't_outage', data: { name: 'a' } }).catch((e) => e)
    expect(err).toBeInstanceOf(StoreUnavailableError)
    expect(err.store).toBe('sqlite')
    expect(err.cause.code).toBe('SQLITE_BUSY')
    other.exec('ROLLBACK')
    other.close()
    expect((await db.create({ model: 't_outage', data: { name: 'b' } })).name).toBe('b')
    await db.close()
  })

  it('a bug stays a bug: other errors are not turned into outages', async () => {
    const db = sqliteAdapter({ filename: ':memory:' })
    await db.migrate(models)
    const err = await db.findOne({ model: 'nope', where: { field: 'id', value: 1 } }).catch((e) => e)
    expect(err).not.toBeInstanceOf(StoreUnavailableError)
    await db.close()
  })
})

describe('PostgreSQL outages', () => {
  it('a server that refuses connections is StoreUnavailableError (no hang, no crash)', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const db = postgresAdapter({ url: 'postgres://postgres@127.0.0.1:1/none' })
    await expect(db.ping()).rejects.toBeInstanceOf(StoreUnavailableError)
    await expect(db.migrate(models)).rejects.toBeInstanceOf(StoreUnavailableError)
    await db.close()
  })

  const pgUrl = process.env.MAILFRONT_TEST_PG_URL
  it.skipIf(!pgUrl)(
    'a database that does not exist is StoreUnavailableError on connect (real PostgreSQL; skipped without MAILFRONT_TEST_PG_URL)',
    async () => {
      const u = new URL(pgUrl!)
      u.pathname = `/mf_missing_${process.pid}`
      const db = postgresAdapter({ url: u.toString() })
      const err = await db.ping().catch((e) => e)
      expect(err).toBeInstanceOf(StoreUnavailableError)
      expect(err.cause.code).toBe('3D000')
      await db.close()
    },
  )
  it.skipIf(!pgUrl)(
    'survives its connections being terminated, idle or busy, and serves again at once (real PostgreSQL; skipped without MAILFRONT_TEST_PG_URL)',
    async () => {
      const app = `mf_outage_${process.pid}_${Date.now()}`
      const schema = app
      const admin = new pg.Client({ connectionString: pgUrl })
      await admin.connect()
      await admin.query(`CREATE SCHEMA ${schema}`)
      const u = new URL(pgUrl!)
      u.searchParams.set('options', `-c search_path=${schema}`)
      u.searchParams.set('application_name', app)
      const lost: string[] = []
      const db = postgresAdapter({ url: u.toString(), onConnectionError: (e) => lost.push(e.message) })
      try {
        await db.migrate(models)
        await Promise.all(
          Array.from({ length: 8 }, (_, i) => db.create({ model: 't_outage', data: { name: `r${i}` } })),
        )
        // Only this test's connections: other tests share the database.
        const kill = () =>
          admin.query(
            'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = $1',
            [app],
          )
        // Idle connections die: the pool reports them and drops them.
        expect((await kill()).rowCount).toBeGreaterThan(0)
        await new Promise((r) => setTimeout(r, 200))
        expect(lost.length).toBeGreaterThan(0)
        expect(await db.count({ model: 't_outage' })).toBe(8)
        // Busy connections die: those queries fail as outages, later ones run on new connections.
        const sleeping = Promise.allSettled(
          Array.from({ length: 4 }, () =>
            db.transaction(async (tx) => {
              await tx.findMany({ model: 't_outage' })
              await new Promise((r) => setTimeout(r, 300))
              return tx.count({ model: 't_outage' })
            }),
          ),
        )
        await new Promise((r) => setTimeout(r, 100))
        await kill()
        const settled = await sleeping
        for (const s of settled)
          if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(StoreUnavailableError)
        expect(settled.some((s) => s.status === 'rejected')).toBe(true)
        for (let i = 0; i < 20; i++) expect(await db.count({ model: 't_outage' })).toBe(8)
        await db.ping()
      } finally {
        await db.close()
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
        await admin.end()
      }
    },
  )
})
