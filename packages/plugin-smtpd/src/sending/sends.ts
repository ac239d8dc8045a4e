import { MailRejection, type PluginContext } from '@mailfront/core'
import { errors } from '../errors.ts'
import { ksuidLike } from '../keys.ts'
import { planById } from '../plans.ts'
import { ACCOUNT, type AccountRow } from '../store.ts'
import { bounceAddress, composeMessage, linkBase } from './compose.ts'
import { type DeliveryTracker, recordEvent } from './events.ts'
import { PROFILE, type ProfileRow, SEND, type SendRow } from './models.ts'
import type { SendingOptions } from './options.ts'
import type { TrackingTokens } from './tracking.ts'

export interface SendInput {
  recipient_email_address: string
  recipient_name: string
  from_email_address: string
  from_name: string
  reply_to: string
  subject: string
  content_html: string
  content_text: string
  open_tracking: boolean
  click_tracking: boolean
  tags: string[]
  template_id?: string | undefined
  template_revision?: number | undefined
}

const s = (ms: number) => Math.floor(ms / 1000)

/** The send object: the documented keys, with the ones the Go client also reads after `send_key`. */
export const sendView = (r: SendRow) => ({
  send_id: r.id,
  send_key: r.send_key,
  sending_profile_id: r.sending_profile_id,
  from_email_address: r.from_email_address,
  from_name: r.from_name,
  recipient_email_address: r.recipient_email_address,
  recipient_name: r.recipient_name,
  subject: r.subject,
  open_tracking: r.open_tracking,
  click_tracking: r.click_tracking,
  tags: r.tags,
  state: r.state,
  state_category: r.state_category,
  ...(r.error ? { error: r.error } : {}),
  created_at_utc: s(r.created_at),
  modified_at_utc: s(r.modified_at),
})

/** The first instant of the plan period (the calendar month, UTC) that holds `now`. */
export const periodStart = (now: number) => {
  const d = new Date(now)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
}

export const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase()

export interface SendDeps {
  ctx: PluginContext
  opts: SendingOptions
  tokens: TrackingTokens
  tracker: DeliveryTracker
}

/**
 * A send: the account must be verified, an active profile must own the From domain, the plan's
 * monthly limit must allow it. The message is composed, DKIM-signed and submitted to the mail
 * pipeline; the answer is the send as accepted (the pipeline's events move it on).
 */
export async function createSend(
  d: SendDeps,
  /** `signal`: the HTTP request's; a submission still waiting (slow@) is abandoned when it aborts. */
  who: { accountId: string; clientAddress?: string; signal?: AbortSignal },
  input: SendInput,
): Promise<SendRow> {
  const { ctx } = d
  const db = ctx.storage
  const account = await db.findOne<AccountRow>({
    model: ACCOUNT,
    where: { field: 'id', value: who.accountId },
  })
  if (!account) throw errors.BAD_TOKEN()
  if (!account.is_verified) throw errors.ACCOUNT_NOT_VERIFIED()
  const profile = await db.findOne<ProfileRow>({
    model: PROFILE,
    where: {
      and: [
        { field: 'account_id', value: account.id },
        { field: 'sending_domain', value: domainOf(input.from_email_address) },
        { field: 'state', value: 'active' },
      ],
    },
  })
  if (!profile) throw errors.DOMAIN_NOT_READY()
  const mail = ctx.mail
  if (!mail) throw errors.MAIL_UNAVAILABLE()
  const now = ctx.clock.now()
  const plan = planById(account.plan_id)
  if (plan?.enforce_plan_limit) {
    const used = await db.count({
      model: SEND,
      where: {
        and: [
          { field: 'account_id', value: account.id },
          { field: 'created_at', op: 'gte', value: periodStart(now) },
        ],
      },
    })
    if (used >= plan.max_emails_per_month) throw errors.PLAN_LIMIT()
  }
  let send = await db.create<SendRow>({
    model: SEND,
    data: {
      account_id: account.id,
      send_key: ksuidLike(),
      sending_profile_id: profile.id,
      ...input,
      recipient_email_address: input.recipient_email_address.trim(),
      template_id: input.template_id ?? null,
      template_revision: input.template_revision ?? null,
      state: 'accepted',
      state_category: 'accepted',
      error: '',
      message_id: null,
      created_at: now,
      modified_at: now,
    },
  })
  const accepted = await recordEvent(ctx, send, 'accepted', { at: now })
  try {
    const raw = await composeMessage(send, profile, {
      date: new Date(now),
      linkBase: linkBase(profile, d.opts.trackingBaseUrl),
      tokens: d.tokens,
    })
    const summary = await mail.submit({
      envelope: { from: bounceAddress(send, profile), to: [send.recipient_email_address] },
      raw,
      plugin: 'smtpd',
      principal: account.id,
      via: 'api',
      ...(who.clientAddress ? { clientAddress: who.clientAddress } : {}),
      ...(who.signal ? { signal: who.signal } : {}),
    })
    await d.tracker.link(send, summary.id)
  } catch (e) {
    if (!(e instanceof MailRejection)) {
      // Never leave a send `accepted` that will not move: it failed here, say so, then answer 500.
      await recordEvent(ctx, accepted, 'rejected', { detail: 'internal error' }).catch(() => {})
      throw e
    }
    // Refused by the pipeline (size, policy): the send exists, rejected with the reason.
    send = await recordEvent(ctx, accepted, 'rejected', { detail: `${e.code} ${e.message}` })
    return send
  }
  return accepted
}
