import {
  type Clock,
  type DeliveryEvent,
  type DeliveryState,
  type Logger,
  MailRejection,
  type MailService,
  type MessageQuery,
  type StorageAdapter,
  type SubmitInput,
  silentLogger,
  systemClock,
} from '@mailfront/core'
import { type Bounced, endRefused, endWithDsn, reportBounce } from './bounce.ts'
import { LocalRecipients } from './local.ts'
import { BODY, type EntryRow, MESSAGE, type MessageRow, PENDING, QUEUE, SEARCH } from './models.ts'
import { type MailQueries, mailQueries } from './queries.ts'
import { insertMessage, toSummary } from './rows.ts'
import { searchText } from './search.ts'
import { DEFAULT_SIMULATOR_DOMAIN, Simulator } from './simulator.ts'

export interface MailServiceOptions {
  storage: StorageAdapter
  clock?: Clock
  log?: Logger
  /** Reporting host name of DSNs. */
  hostname?: string
  /** The simulator addresses' domain (default `simulator.mailfront.test`); null: none. */
  simulatorDomain?: string | null
  /** `slow@`'s delay in ms (default 5 s). */
  simulatorSlowMs?: number
  /** What counts as real time for `slow@` (default the system clock): tests pass a manual clock. */
  simulatorRealClock?: Clock
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
  /** One page, its total and whether a search was cut: the filters resolved once (MailQueries.page). */
  page: MailQueries['page']
  /** Delete every message, its bytes and its queue entries; returns how many messages. */
  clear(): Promise<number>
  /** Delete one message with its bytes and queue entries; false when there is no such message. */
  remove(id: string): Promise<boolean>
  /** End an entry as bounced (guarded by its current state) and send the DSN in the same transaction. */
  bounceEntry(entry: EntryRow, fromStates: DeliveryState[], reason: string, code?: number): Promise<boolean>
  /** The plugins' hosted recipients (`localDelivery`): the server adds them, submit and the port ask. */
  readonly local: LocalRecipients
  /** Simulator addresses (simulator.ts): their outcomes, delivered by the worker in any mode. */
  readonly simulator: Simulator
  /**
   * Before the store closes: submissions still waiting to be accepted (`slow@`) are refused with
   * 421 4.3.2, never stored afterwards.
   */
  close(): void
}

const ADDRESS = /^[^\s<>@]+@[^\s<>@]+$/

export class InvalidSubmission extends Error {}

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
  const simulator = new Simulator({
    domain: opts.simulatorDomain === undefined ? DEFAULT_SIMULATOR_DOMAIN : opts.simulatorDomain,
    ...(opts.simulatorSlowMs !== undefined ? { slowMs: opts.simulatorSlowMs } : {}),
    ...(opts.simulatorRealClock ? { realClock: opts.simulatorRealClock } : {}),
    clock,
  })
  // Closing ends every submission still waiting (slow@) before the store goes away.
  const closing = new AbortController()
  const local = new LocalRecipients(log, simulator)

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

  /** What the log says of a submission not yet stored (it has no id yet). */
  const said = (input: SubmitInput) => ({
    plugin: input.plugin,
    principal: input.principal,
    via: input.via,
    from: input.envelope.from,
    rcpts: input.envelope.to.length,
    client: input.clientAddress,
  })

  /**
   * A slow@ wait ended by its submitter going away (an SMTP connection, an HTTP request) or by the
   * pipeline closing: logged once here for every way in, and always a MailRejection (an HTTP
   * request's signal carries a plain reason), so the plugin records a refusal, not an error.
   */
  function abandoned(input: SubmitInput, e: unknown): unknown {
    if (!closing.signal.aborted && !input.signal?.aborted) return e
    const r =
      e instanceof MailRejection ? e : new MailRejection(421, '4.4.2 Client went away before acceptance')
    log.info(
      { ...said(input), reason: `${r.code} ${r.message}` },
      'mail abandoned while slow@ waited: never stored',
    )
    return r
  }

  const afterBounce = (b: Bounced, now: number) => reportBounce({ log, emit, submitted }, b, now)

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
    local,
    simulator,
    clock,
    log,
    hostname,
    emit,
    onSubmitted(fn) {
      wakers.push(fn)
    },

    async submit(input) {
      validate(input)
      if (simulator.holds(input.envelope.to)) {
        log.info(said(input), `mail held: slow@ waits up to ${simulator.slowMs} ms before acceptance`)
        await simulator.beforeAccept(input.envelope.to, [closing.signal, input.signal]).catch((e) => {
          throw abandoned(input, e)
        })
      }
      const { hosted, refused } = await local.sort(input.envelope.from, input.envelope.to)
      // Nobody left to deliver to: the submission is refused with the (first) recipient's reason.
      if (refused.size === input.envelope.to.length) throw [...refused.values()][0]!
      const senderHost = refused.size && input.envelope.from ? await local.hostOf(input.envelope.from) : null
      const search = await searchText(input.raw, input.envelope)
      const now = clock.now()
      const { message, entries, bounced } = await db.transaction(async (tx) => {
        const { message, entries } = await insertMessage(tx, input, now, hosted, search)
        const bounced = await endRefused(tx, entries, refused, { now, hostname, senderHostedBy: senderHost })
        return { message, entries, bounced }
      })
      submitted(message, entries)
      for (const b of bounced) afterBounce(b, now)
      return toSummary(message, entries)
    },

    ...mailQueries(db),

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
      const senderHostedBy = entry.mail_from ? await local.hostOf(entry.mail_from) : null
      const now = clock.now()
      const result = await db.transaction((tx) =>
        endWithDsn(tx, {
          entry,
          fromStates,
          reason,
          ...(code ? { code } : {}),
          now,
          hostname,
          senderHostedBy,
        }),
      )
      if (!result) return false
      afterBounce({ ...result, reason }, now)
      return true
    },

    close() {
      closing.abort(new MailRejection(421, '4.3.2 mailfront is shutting down; try again later'))
    },

    onEvent(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },

    async clear() {
      return db.transaction(async (tx) => {
        await tx.deleteMany({ model: QUEUE, where: { field: 'id', op: 'gt', value: 0 } })
        await tx.deleteMany({ model: BODY, where: { field: 'message', op: 'ne', value: '' } })
        await tx.deleteMany({ model: SEARCH, where: { field: 'message', op: 'ne', value: '' } })
        return tx.deleteMany({ model: MESSAGE, where: { field: 'id', op: 'ne', value: '' } })
      })
    },

    async remove(id) {
      return db.transaction(async (tx) => {
        await tx.deleteMany({ model: QUEUE, where: { field: 'message', value: id } })
        await tx.deleteMany({ model: BODY, where: { field: 'message', value: id } })
        await tx.deleteMany({ model: SEARCH, where: { field: 'message', value: id } })
        return tx.deleteOne({ model: MESSAGE, where: { field: 'id', value: id } })
      })
    },
  }
  return pipeline
}
