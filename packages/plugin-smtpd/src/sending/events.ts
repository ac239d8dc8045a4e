import type { DeliveryEvent, PluginContext } from '@mailfront/core'
import { SEND, SEND_EVENT, type SendEventRow, type SendRow } from './models.ts'

/** The send states in the order a send moves through them; a later event never moves one back. */
const RANK: Record<string, number> = {
  accepted: 0,
  processed: 1,
  queued: 2,
  sent: 3,
  delivered: 4,
  bounced: 4,
  rejected: 4,
}
/** `state_category` (the usage categories; `queued` counts as processed). */
export const CATEGORY: Record<string, string> = {
  accepted: 'accepted',
  processed: 'processed',
  queued: 'processed',
  sent: 'sent',
  delivered: 'delivered',
  bounced: 'bounced',
  rejected: 'rejected',
}

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase()

/** Record one event of a send; a state event also moves the send forward. */
export async function recordEvent(
  ctx: PluginContext,
  send: SendRow,
  type: string,
  o: { detail?: string; userAgent?: string; at?: number } = {},
): Promise<SendRow> {
  const at = o.at ?? ctx.clock.now()
  await ctx.storage.create<SendEventRow>({
    model: SEND_EVENT,
    data: {
      send_id: send.id,
      account_id: send.account_id,
      type,
      detail: (o.detail ?? '').slice(0, 1000),
      recipient_domain: domainOf(send.recipient_email_address),
      user_agent: (o.userAgent ?? '').slice(0, 500),
      created_at: at,
    },
  })
  const rank = RANK[type]
  if (rank === undefined || rank < (RANK[send.state] ?? 0) || (rank === 4 && RANK[send.state] === 4))
    return send
  const set: Record<string, unknown> = { state: type, state_category: CATEGORY[type], modified_at: at }
  if (type === 'bounced' || type === 'rejected') set.error = (o.detail ?? type).slice(0, 1000)
  return (
    (await ctx.storage.updateOne<SendRow>({ model: SEND, where: { field: 'id', value: send.id }, set })) ??
    send
  )
}

/** What a pipeline event means for a send: `[event, detail]` pairs, in order. */
export function eventsFor(e: DeliveryEvent): [string, string][] {
  const r = e.response ?? ''
  switch (e.type) {
    case 'submitted':
      return [['processed', '']]
    case 'deferred':
      return [['queued', r]]
    case 'delivered':
      // Handed to the next hop (sent), and accepted by it (delivered: its reply).
      return [
        ['sent', ''],
        ['delivered', r],
      ]
    case 'bounced':
      return [['bounced', r || 'bounced']]
    case 'discarded':
      return [['rejected', r || 'discarded by the operator']]
  }
}

/**
 * Follows the mail pipeline's events into the sends. The send is stored before its message is
 * submitted, so every event finds it: by the message id once linked, else by the send key in the
 * message's Message-ID (`<send_key@sending_domain>`), which also serves events handled on another
 * instance (a worker there delivering what this one submitted). Work per message runs in order.
 */
export function deliveryTracker(ctx: PluginContext) {
  const chains = new Map<string, Promise<void>>()
  const inFlight = new Set<Promise<void>>()

  const chain = (messageId: string, fn: () => Promise<void>): Promise<void> => {
    const next = (chains.get(messageId) ?? Promise.resolve()).then(fn).catch((err) => {
      ctx.log.error({ err, messageId }, 'smtpd: applying a delivery event failed')
    })
    chains.set(messageId, next)
    inFlight.add(next)
    void next.finally(() => {
      inFlight.delete(next)
      if (chains.get(messageId) === next) chains.delete(messageId)
    })
    return next
  }

  const linkTo = async (send: SendRow, messageId: string): Promise<SendRow> =>
    send.message_id === messageId
      ? send
      : ((await ctx.storage.updateOne<SendRow>({
          model: SEND,
          where: { field: 'id', value: send.id },
          set: { message_id: messageId },
        })) ?? send)

  const sendOf = async (e: DeliveryEvent): Promise<SendRow | null> => {
    const linked = await ctx.storage.findOne<SendRow>({
      model: SEND,
      where: { field: 'message_id', value: e.messageId },
    })
    if (linked) return linked
    const key = /^([0-9A-Za-z]{27})@/.exec((await ctx.mail?.get(e.messageId))?.messageId ?? '')?.[1]
    const send = key
      ? await ctx.storage.findOne<SendRow>({ model: SEND, where: { field: 'send_key', value: key } })
      : null
    return send && send.account_id === e.principal ? linkTo(send, e.messageId) : null
  }

  return {
    listener(e: DeliveryEvent) {
      // Sends are submitted with the account as principal; the DSNs the pipeline makes have none.
      if (e.plugin !== 'smtpd' || !e.principal) return
      void chain(e.messageId, async () => {
        let row = await sendOf(e)
        if (!row) return
        for (const [type, detail] of eventsFor(e))
          row = await recordEvent(ctx, row, type, { detail, at: e.at })
      })
    },
    /** Link a send to its message (after the events that came first, in order). */
    link(send: SendRow, messageId: string): Promise<void> {
      return chain(messageId, async () => {
        const row = await ctx.storage.findOne<SendRow>({
          model: SEND,
          where: { field: 'id', value: send.id },
        })
        if (row) await linkTo(row, messageId)
      })
    },
    /** Resolves when every event received so far has been applied. */
    async idle(): Promise<void> {
      while (inFlight.size) await Promise.all([...inFlight])
    },
  }
}
export type DeliveryTracker = ReturnType<typeof deliveryTracker>
