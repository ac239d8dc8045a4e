import {
  type Clock,
  type DeliveryEvent,
  type DeliveryState,
  type EntryQuery,
  type Logger,
  type MailService,
  type MessageQuery,
  type MessageSummary,
  type QueueEntry,
  type RecipientStatus,
  randomHex,
  type StorageAdapter,
  type SubmitInput,
  silentLogger,
  systemClock,
  type Where,
} from '@mailfront/core'
import { buildDsn, headerBlock } from './dsn.ts'
import { summaryHeaders } from './headers.ts'
import { BODY, type EntryRow, MESSAGE, type MessageRow, PENDING, QUEUE } from './models.ts'

export interface MailServiceOptions {
  storage: StorageAdapter
  clock?: Clock
  log?: Logger
  /** Reporting host name of DSNs. */
  hostname?: string
}

/** The pipeline's own operations beyond what a plugin sees: used by the worker and the admin API. */
export interface MailPipeline extends MailService {
  readonly storage: StorageAdapter
  readonly clock: Clock
  readonly log: Logger
  readonly hostname: string
  emit(e: DeliveryEvent): void
  /** Called by submit: a worker on this instance may start at once instead of at its next poll. */
  onSubmitted(fn: () => void): void
  /** How many messages match (the admin list's total). */
  count(query?: MessageQuery): Promise<number>
  /** Delete every message, its bytes and its queue entries; returns how many messages. */
  clear(): Promise<number>
  /** End an entry as bounced (guarded by its current state) and send the DSN in the same transaction. */
  bounceEntry(entry: EntryRow, fromStates: DeliveryState[], reason: string, code?: number): Promise<boolean>
}

const ADDRESS = /^[^\s<>@]+@[^\s<>@]+$/

export class InvalidSubmission extends Error {}

export const toStatus = (e: EntryRow): RecipientStatus => ({
  entryId: Number(e.id),
  recipient: e.rcpt,
  state: e.state,
  attempts: e.attempts,
  ...(PENDING.includes(e.state) ? { nextAttemptAt: e.next_attempt_at } : {}),
  ...(e.last_response ? { lastResponse: e.last_response } : {}),
  updatedAt: e.updated_at,
})

const toEntry = (e: EntryRow): QueueEntry => ({
  ...toStatus(e),
  nextAttemptAt: e.next_attempt_at,
  message: e.message,
  ...(e.message_id ? { messageId: e.message_id } : {}),
  from: e.mail_from,
  plugin: e.plugin,
  ...(e.principal ? { principal: e.principal } : {}),
  createdAt: e.created_at,
})

function toSummary(m: MessageRow, entries: EntryRow[]): MessageSummary {
  return {
    id: m.id,
    ...(m.message_id ? { messageId: m.message_id } : {}),
    envelope: { from: m.mail_from, to: m.rcpt_to },
    ...(m.subject !== null ? { subject: m.subject } : {}),
    size: m.size,
    plugin: m.plugin,
    ...(m.principal ? { principal: m.principal } : {}),
    via: m.via as MessageSummary['via'],
    ...(m.client_address ? { clientAddress: m.client_address } : {}),
    receivedAt: m.received_at,
    recipients: entries.map(toStatus),
  }
}

function validate(input: SubmitInput) {
  const { from, to } = input.envelope
  if (from !== '' && !ADDRESS.test(from)) throw new InvalidSubmission(`invalid sender <${from}>`)
  if (!to.length) throw new InvalidSubmission('no recipient')
  for (const r of to) if (!ADDRESS.test(r)) throw new InvalidSubmission(`invalid recipient <${r}>`)
  if (!input.raw.byteLength) throw new InvalidSubmission('empty message')
}

/** The mail pipeline over the core storage contract: durable submit, queue, events. */
export function createMailPipeline(opts: MailServiceOptions): MailPipeline {
  const db = opts.storage
  const clock = opts.clock ?? systemClock
  const log = opts.log ?? silentLogger
  const hostname = opts.hostname ?? 'localhost'
  const listeners = new Set<(e: DeliveryEvent) => void | Promise<void>>()
  const wakers: (() => void)[] = []

  function emit(e: DeliveryEvent) {
    for (const l of listeners) {
      try {
        const r = l(e)
        if (r && typeof (r as Promise<void>).catch === 'function')
          (r as Promise<void>).catch((err) => log.error({ err }, 'mail event listener failed'))
      } catch (err) {
        log.error({ err }, 'mail event listener failed')
      }
    }
  }

  /** Insert one message with its entries inside a transaction; returns the rows. */
  async function insert(tx: StorageAdapter, input: SubmitInput) {
    const now = clock.now()
    const id = randomHex(20)
    const h = summaryHeaders(input.raw)
    const to = input.envelope.to
    const message = await tx.create<MessageRow>({
      model: MESSAGE,
      data: {
        id,
        message_id: h.messageId ?? null,
        mail_from: input.envelope.from,
        rcpt_to: to,
        rcpt_text: to.join(',').toLowerCase(),
        subject: h.subject ?? null,
        size: input.raw.byteLength,
        plugin: input.plugin,
        principal: input.principal ?? null,
        via: input.via,
        client_address: input.clientAddress ?? null,
        received_at: now,
      },
    })
    await tx.create({
      model: BODY,
      data: {
        message: id,
        data: Buffer.from(input.raw.buffer, input.raw.byteOffset, input.raw.byteLength).toString('base64'),
      },
    })
    const entries: EntryRow[] = []
    for (const rcpt of to)
      entries.push(
        await tx.create<EntryRow>({
          model: QUEUE,
          data: {
            message: id,
            message_id: h.messageId ?? null,
            plugin: input.plugin,
            principal: input.principal ?? null,
            mail_from: input.envelope.from,
            rcpt,
            state: 'queued',
            attempts: 0,
            next_attempt_at: now,
            created_at: now,
            updated_at: now,
          },
        }),
      )
    return { message, entries }
  }

  function submitted(message: MessageRow, entries: EntryRow[]) {
    log.info(
      {
        mail: message.id,
        messageId: message.message_id ?? undefined,
        plugin: message.plugin,
        principal: message.principal ?? undefined,
        via: message.via,
        from: message.mail_from,
        rcpts: entries.length,
        size: message.size,
        client: message.client_address ?? undefined,
      },
      'mail accepted',
    )
    emit({
      type: 'submitted',
      messageId: message.id,
      plugin: message.plugin,
      ...(message.principal ? { principal: message.principal } : {}),
      at: message.received_at,
    })
    for (const w of wakers) w()
  }

  async function entriesOf(ids: string[]): Promise<Map<string, EntryRow[]>> {
    const out = new Map<string, EntryRow[]>()
    if (!ids.length) return out
    const rows = await db.findMany<EntryRow>({
      model: QUEUE,
      where: { field: 'message', op: 'in', value: ids },
      sort: [{ field: 'id' }],
    })
    for (const r of rows) {
      const list = out.get(r.message) ?? []
      list.push(r)
      out.set(r.message, list)
    }
    return out
  }

  async function messageWhere(q: MessageQuery): Promise<Where | undefined> {
    const and: Where[] = []
    if (q.plugin) and.push({ field: 'plugin', value: q.plugin })
    if (q.principal) and.push({ field: 'principal', value: q.principal })
    if (q.from) and.push({ field: 'mail_from', op: 'contains', value: q.from, ci: true })
    if (q.to) and.push({ field: 'rcpt_text', op: 'contains', value: q.to.toLowerCase() })
    if (q.subject) and.push({ field: 'subject', op: 'contains', value: q.subject, ci: true })
    if (q.states?.length) {
      const hits = await db.findMany<EntryRow>({
        model: QUEUE,
        where: { field: 'state', op: 'in', value: q.states },
        sort: [{ field: 'id', dir: 'desc' }],
        limit: 10_000,
      })
      and.push({ field: 'id', op: 'in', value: [...new Set(hits.map((h) => h.message))] })
    }
    return and.length ? { and } : undefined
  }

  async function transition(
    entryId: number,
    fromStates: DeliveryState[],
    set: Record<string, unknown>,
  ): Promise<EntryRow | null> {
    return db.updateOne<EntryRow>({
      model: QUEUE,
      where: {
        and: [
          { field: 'id', value: entryId },
          { field: 'state', op: 'in', value: fromStates },
        ],
      },
      set: { ...set, updated_at: clock.now() },
    })
  }

  const pipeline: MailPipeline = {
    storage: db,
    clock,
    log,
    hostname,
    emit,
    onSubmitted(fn) {
      wakers.push(fn)
    },

    async submit(input) {
      validate(input)
      const { message, entries } = await db.transaction((tx) => insert(tx, input))
      submitted(message, entries)
      return toSummary(message, entries)
    },

    async get(id) {
      const m = await db.findOne<MessageRow>({ model: MESSAGE, where: { field: 'id', value: id } })
      if (!m) return null
      return toSummary(m, (await entriesOf([m.id])).get(m.id) ?? [])
    },

    async raw(id) {
      const b = await db.findOne<{ id: string; data: string }>({
        model: BODY,
        where: { field: 'message', value: id },
      })
      return b ? new Uint8Array(Buffer.from(b.data, 'base64')) : null
    },

    async count(q: MessageQuery = {}) {
      const where = await messageWhere(q)
      return db.count({ model: MESSAGE, ...(where ? { where } : {}) })
    },

    async list(q: MessageQuery = {}) {
      const where = await messageWhere(q)
      const rows = await db.findMany<MessageRow>({
        model: MESSAGE,
        ...(where ? { where } : {}),
        sort: [
          { field: 'received_at', dir: 'desc' },
          { field: 'id', dir: 'desc' },
        ],
        limit: Math.min(q.limit ?? 50, 1000),
        offset: q.offset ?? 0,
      })
      const entries = await entriesOf(rows.map((r) => r.id))
      return rows.map((m) => toSummary(m, entries.get(m.id) ?? []))
    },

    async entries(q: EntryQuery = {}) {
      const and: Where[] = []
      if (q.ids) {
        if (!q.ids.length) return []
        and.push({ field: 'id', op: 'in', value: q.ids })
      }
      if (q.plugin) and.push({ field: 'plugin', value: q.plugin })
      if (q.states) and.push({ field: 'state', op: 'in', value: q.states })
      if (q.afterId !== undefined) and.push({ field: 'id', op: 'gt', value: q.afterId })
      const rows = await db.findMany<EntryRow>({
        model: QUEUE,
        ...(and.length ? { where: { and } } : {}),
        sort: [{ field: 'id' }],
        ...(q.limit !== undefined ? { limit: q.limit } : {}),
      })
      return rows.map(toEntry)
    },

    async discard(entryId) {
      const row = await transition(entryId, PENDING, {
        state: 'discarded',
        last_response: 'discarded by admin',
        lease_until: null,
      })
      if (!row) return false
      log.info({ mail: row.message, entry: row.id, rcpt: row.rcpt, plugin: row.plugin }, 'mail discarded')
      emit({
        type: 'discarded',
        messageId: row.message,
        entryId: Number(row.id),
        recipient: row.rcpt,
        plugin: row.plugin,
        ...(row.principal ? { principal: row.principal } : {}),
        response: 'discarded by admin',
        at: row.updated_at,
      })
      return true
    },

    async bounce(entryId, reason = 'bounced by admin') {
      const row = await db.findOne<EntryRow>({ model: QUEUE, where: { field: 'id', value: entryId } })
      if (!row) return false
      return pipeline.bounceEntry(row, PENDING, reason)
    },

    async bounceEntry(entry, fromStates, reason, code) {
      const now = clock.now()
      const result = await db.transaction(async (tx) => {
        const row = await tx.updateOne<EntryRow>({
          model: QUEUE,
          where: {
            and: [
              { field: 'id', value: entry.id },
              { field: 'state', op: 'in', value: fromStates },
              // A worker's own claim: only the lease it holds may end the entry.
              ...(fromStates.includes('delivering') && entry.lease_until !== null
                ? [{ field: 'lease_until', value: entry.lease_until }]
                : []),
            ],
          },
          set: {
            state: 'bounced',
            attempts: entry.attempts,
            last_response: reason,
            lease_until: null,
            updated_at: now,
          },
        })
        if (!row) return null
        // Never a bounce for a bounce: a null sender gets nothing back.
        if (row.mail_from === '') return { row, dsn: null }
        const m = await tx.findOne<MessageRow>({ model: MESSAGE, where: { field: 'id', value: row.message } })
        const b = await tx.findOne<{ id: string; data: string }>({
          model: BODY,
          where: { field: 'message', value: row.message },
        })
        const raw = await buildDsn({
          hostname,
          to: row.mail_from,
          recipient: row.rcpt,
          reason,
          ...(code ? { code } : {}),
          originalHeaders: b ? headerBlock(Buffer.from(b.data, 'base64')) : '',
          ...(row.message_id ? { originalMessageId: row.message_id } : {}),
          arrivalDate: new Date(m?.received_at ?? row.created_at),
          date: new Date(now),
        })
        const dsn = await insert(tx, {
          envelope: { from: '', to: [row.mail_from] },
          raw,
          plugin: row.plugin,
          via: 'dsn',
        })
        return { row, dsn }
      })
      if (!result) return false
      const { row, dsn } = result
      log.info(
        {
          mail: row.message,
          entry: row.id,
          rcpt: row.rcpt,
          plugin: row.plugin,
          response: reason,
          dsn: dsn?.message.id,
        },
        'mail bounced',
      )
      emit({
        type: 'bounced',
        messageId: row.message,
        entryId: Number(row.id),
        recipient: row.rcpt,
        plugin: row.plugin,
        ...(row.principal ? { principal: row.principal } : {}),
        response: reason,
        at: now,
      })
      if (dsn) submitted(dsn.message, dsn.entries)
      return true
    },

    onEvent(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },

    async clear() {
      return db.transaction(async (tx) => {
        await tx.deleteMany({ model: QUEUE, where: { field: 'id', op: 'gt', value: 0 } })
        await tx.deleteMany({ model: BODY, where: { field: 'message', op: 'ne', value: '' } })
        return tx.deleteMany({ model: MESSAGE, where: { field: 'id', op: 'ne', value: '' } })
      })
    },
  }
  return pipeline
}
