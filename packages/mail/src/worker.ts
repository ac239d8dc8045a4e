import type { DeliveryEvent } from '@mailfront/core'
import { localSender, type Send } from './local.ts'
import { BODY, type EntryRow, PENDING, QUEUE } from './models.ts'
import type { Relay, RelayResult } from './relay.ts'
import type { MailPipeline } from './service.ts'

export interface WorkerOptions {
  /** `capture`: stored and marked delivered; `relay`: sent through `relay`. */
  mode: 'capture' | 'relay'
  relay?: Relay
  /** How often to look for due entries (other instances' submits, retries). */
  pollMs?: number
  /** After a submit on this instance, wait this long before a round, so a burst is one batch. */
  wakeDelayMs?: number
  /** Entries claimed per round. */
  batch?: number
  /** Parallel deliveries in relay mode. */
  concurrency?: number
  /** First retry delay; doubled per failed attempt, capped at `maxRetryDelayMs`. */
  retryDelayMs?: number
  maxRetryDelayMs?: number
  /** Attempts before a temporary failure becomes a bounce. */
  maxAttempts?: number
  /** How long a claim holds before another instance may take the entry again. */
  leaseMs?: number
}

export interface Worker {
  /** One round: claim what is due and deliver it; returns how many entries it handled. */
  runOnce(): Promise<number>
  stop(): Promise<void>
}

/** Retry delay after the n-th failed attempt (n ≥ 1). */
export function retryDelay(n: number, base: number, max: number): number {
  return Math.min(base * 2 ** Math.max(0, n - 1), max)
}

/**
 * The delivery worker. Every instance runs one; each entry is claimed by a guarded update (its
 * state and `updated_at` as read), so with several instances on one store each is delivered once.
 */
export function startWorker(p: MailPipeline, o: WorkerOptions): Worker {
  const db = p.storage
  const pollMs = o.pollMs ?? 1000
  const batch = o.batch ?? 200
  const leaseMs = o.leaseMs ?? 5 * 60_000
  const base = o.retryDelayMs ?? 60_000
  const maxDelay = o.maxRetryDelayMs ?? 3_600_000
  const maxAttempts = o.maxAttempts ?? 10
  const concurrency = o.concurrency ?? 4
  if (o.mode === 'relay' && !o.relay) throw new Error('relay mode needs a relay')

  let stopped = false
  let running: Promise<number> | undefined
  let again = false
  let timer: NodeJS.Timeout | undefined

  const event = (type: DeliveryEvent['type'], e: EntryRow, response: string, at: number) =>
    p.emit({
      type,
      messageId: e.message,
      entryId: Number(e.id),
      recipient: e.rcpt,
      plugin: e.plugin,
      ...(e.principal ? { principal: e.principal } : {}),
      response,
      at,
    })

  async function due(now: number): Promise<EntryRow[]> {
    return db.findMany<EntryRow>({
      model: QUEUE,
      where: {
        or: [
          {
            and: [
              { field: 'state', op: 'in', value: PENDING },
              { field: 'next_attempt_at', op: 'lte', value: now },
            ],
          },
          {
            and: [
              { field: 'state', value: 'delivering' },
              { field: 'lease_until', op: 'lt', value: now },
            ],
          },
        ],
      },
      sort: [{ field: 'next_attempt_at' }, { field: 'id' }],
      limit: batch,
    })
  }

  /** The guard: the entry is still exactly as this instance read it. */
  const asRead = (e: EntryRow) => ({
    and: [
      { field: 'id', value: e.id },
      { field: 'state', value: e.state },
      { field: 'updated_at', value: e.updated_at },
    ],
  })

  /** Capture a batch in one transaction (one commit, not one per entry); events after it commits. */
  async function captureAll(rows: EntryRow[]): Promise<number> {
    const done = await db.transaction(async (tx) => {
      const out: EntryRow[] = []
      for (const e of rows) {
        const row = await captureOne(tx, e)
        if (row) out.push(row)
      }
      return out
    })
    for (const row of done) {
      p.log.info(
        {
          mail: row.message,
          entry: row.id,
          rcpt: row.rcpt,
          plugin: row.plugin,
          attempt: row.attempts,
          result: 'captured',
        },
        'mail delivery',
      )
      event('delivered', row, 'captured', row.updated_at)
    }
    return done.length
  }

  function captureOne(tx: typeof db, e: EntryRow): Promise<EntryRow | null> {
    const now = p.clock.now()
    return tx.updateOne<EntryRow>({
      model: QUEUE,
      where: asRead(e),
      set: {
        state: 'delivered',
        attempts: e.attempts + 1,
        last_response: 'captured',
        lease_until: null,
        updated_at: now,
      },
    })
  }

  const relaySend: Send = (e, bytes) =>
    o.relay!.send({ from: e.mail_from, to: e.rcpt }, bytes).catch((err: Error) => ({
      kind: 'temporary' as const,
      response: `relay error: ${err.message}`,
    }))

  const localSend = localSender(p)

  async function deliverOne(
    e: EntryRow,
    bodies: Map<string, Promise<Buffer | null>>,
    send: Send,
  ): Promise<boolean> {
    const now = p.clock.now()
    const lease = now + leaseMs
    const claimed = await db.updateOne<EntryRow>({
      model: QUEUE,
      where: asRead(e),
      set: { state: 'delivering', lease_until: lease, updated_at: now },
    })
    if (!claimed) return false
    let raw = bodies.get(e.message)
    if (!raw) {
      raw = db
        .findOne<{ id: string; data: string }>({ model: BODY, where: { field: 'message', value: e.message } })
        .then((b) => (b ? Buffer.from(b.data, 'base64') : null))
      bodies.set(e.message, raw)
    }
    const bytes = await raw
    const attempt = claimed.attempts + 1
    let r: RelayResult
    if (!bytes) r = { kind: 'permanent', response: 'message data missing from the store' }
    else r = await send(claimed, bytes)
    const at = p.clock.now()
    const mine = {
      and: [
        { field: 'id', value: claimed.id },
        { field: 'state', value: 'delivering' },
        { field: 'lease_until', value: lease },
      ],
    }
    const logBase = {
      mail: e.message,
      entry: e.id,
      rcpt: e.rcpt,
      plugin: e.plugin,
      attempt,
      response: r.response,
    }
    if (r.kind === 'delivered') {
      const row = await db.updateOne<EntryRow>({
        model: QUEUE,
        where: mine,
        set: {
          state: 'delivered',
          attempts: attempt,
          last_response: r.response,
          lease_until: null,
          updated_at: at,
        },
      })
      p.log.info({ ...logBase, result: 'delivered' }, 'mail delivery')
      if (row) event('delivered', row, r.response, at)
      return true
    }
    if (r.kind === 'permanent' || attempt >= maxAttempts) {
      const reason =
        r.kind === 'permanent' ? r.response : `gave up after ${attempt} attempts; last: ${r.response}`
      p.log.info({ ...logBase, result: 'bounced' }, 'mail delivery')
      await p.bounceEntry({ ...claimed, attempts: attempt }, ['delivering'], reason, r.code)
      return true
    }
    const next = at + retryDelay(attempt, base, maxDelay)
    const row = await db.updateOne<EntryRow>({
      model: QUEUE,
      where: mine,
      set: {
        state: 'deferred',
        attempts: attempt,
        next_attempt_at: next,
        last_response: r.response,
        lease_until: null,
        updated_at: at,
      },
    })
    p.log.info({ ...logBase, result: 'deferred', next: new Date(next).toISOString() }, 'mail delivery')
    if (row) event('deferred', row, r.response, at)
    return true
  }

  async function round(): Promise<number> {
    let handled = 0
    for (;;) {
      const rows = await due(p.clock.now())
      if (!rows.length) return handled
      // Hosted recipients are delivered locally in either mode; the rest as the mode says.
      const one = o.mode === 'capture' ? rows.filter((e) => e.hosted_by) : rows
      if (o.mode === 'capture') handled += await captureAll(rows.filter((e) => !e.hosted_by))
      const bodies = new Map<string, Promise<Buffer | null>>()
      let i = 0
      const lanes = Array.from({ length: Math.min(concurrency, one.length) }, async () => {
        while (i < one.length && !stopped) {
          const e = one[i++]!
          if (await deliverOne(e, bodies, e.hosted_by ? localSend : relaySend)) handled++
        }
      })
      await Promise.all(lanes)
      if (rows.length < batch || stopped) return handled
    }
  }

  function kick() {
    if (stopped) return
    if (running) {
      again = true
      return
    }
    running = round()
      .catch((err) => {
        p.log.error({ err }, 'mail delivery round failed')
        return 0
      })
      .finally(() => {
        running = undefined
        if (again) {
          again = false
          setImmediate(kick)
        }
      })
  }

  const wakeDelayMs = o.wakeDelayMs ?? 20
  let wake: NodeJS.Timeout | undefined
  p.onSubmitted(() => {
    wake ??= setTimeout(() => {
      wake = undefined
      kick()
    }, wakeDelayMs)
  })
  timer = setInterval(kick, pollMs)
  timer.unref()
  setImmediate(kick)

  return {
    async runOnce() {
      while (running) await running
      return round()
    },
    async stop() {
      stopped = true
      if (timer) clearInterval(timer)
      if (wake) clearTimeout(wake)
      timer = undefined
      while (running) await running
      await o.relay?.close()
    },
  }
}
