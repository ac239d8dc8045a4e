import { consumeCall, type PluginContext, type RateLimitWindow } from '@mailfront/core'
import { errors } from '../errors.ts'
import { ksuidLike } from '../keys.ts'
import { formPostsPerAddress, formPostsPerForm } from '../rate-limits.ts'
import { linkBase } from './compose.ts'
import { FORM, type FormRow, PROFILE, type ProfileRow } from './models.ts'

export interface NewForm {
  form_name: string
  link_domain: string
  notification_email_address: string
  required_fields: string[]
  default_redirect: string
  success_redirect: string
  failure_redirect: string
  tags: string[]
  enable_email_notification: boolean
}

/** A form hangs off the active profile whose link domain it names. */
export async function createForm(
  ctx: PluginContext,
  accountId: string,
  f: NewForm & { id?: string; form_key?: string; state?: string; created_at?: number },
): Promise<FormRow> {
  const profile = await ctx.storage.findOne<ProfileRow>({
    model: PROFILE,
    where: {
      and: [
        { field: 'account_id', value: accountId },
        { field: 'link_domain', value: f.link_domain.toLowerCase() },
        { field: 'state', value: 'active' },
      ],
    },
  })
  if (!profile) throw errors.DOMAIN_NOT_READY()
  const now = f.created_at ?? ctx.clock.now()
  return ctx.storage.create<FormRow>({
    model: FORM,
    data: {
      ...(f.id ? { id: f.id } : {}),
      account_id: accountId,
      form_key: f.form_key ?? ksuidLike(),
      form_name: f.form_name,
      sending_profile_id: profile.id,
      link_domain: profile.link_domain,
      notification_email_address: f.notification_email_address,
      enable_email_notification: f.enable_email_notification,
      required_fields: f.required_fields,
      default_redirect: f.default_redirect,
      success_redirect: f.success_redirect,
      failure_redirect: f.failure_redirect,
      tags: f.tags,
      state: f.state ?? 'creating',
      created_at: now,
      modified_at: now,
    },
  })
}

export const formView = (f: FormRow, base: string | null) => ({
  form_id: f.id,
  form_key: f.form_key,
  form_name: f.form_name,
  sending_profile_id: f.sending_profile_id,
  notification_email_address: f.notification_email_address,
  enable_email_notification: f.enable_email_notification,
  notification_email_address_verified: false,
  form_endpoint: `${linkBase(f, base)}/f/${f.form_key}`,
  default_redirect: f.default_redirect,
  success_redirect: f.success_redirect,
  failure_redirect: f.failure_redirect,
  required_fields: f.required_fields,
  tags: f.tags,
  state: f.state,
  created_at_utc: Math.floor(f.created_at / 1000),
  modified_at_utc: Math.floor(f.modified_at / 1000),
})

/** `creating` lasts until the endpoint is live, which is at once: the next step makes it `active`. */
export async function settleForm(ctx: PluginContext, f: FormRow): Promise<FormRow> {
  if (f.state !== 'creating') return f
  const row = await ctx.storage.updateOne<FormRow>({
    model: FORM,
    where: {
      and: [
        { field: 'id', value: f.id },
        { field: 'state', value: 'creating' },
      ],
    },
    set: { state: 'active', modified_at: ctx.clock.now() },
  })
  return row ?? (await ctx.storage.findOne<FormRow>({ model: FORM, where: { field: 'id', value: f.id } }))!
}

/** The notification of one submission: every field, one per line, in the order posted. */
export function notificationText(f: FormRow, fields: Record<string, string>): string {
  const lines = Object.entries(fields).map(([k, v]) => `${k}: ${v}`)
  return `A new submission of the form "${f.form_name}":\n\n${lines.join('\n')}\n`
}

export interface FormLimits {
  perAddress: number
  perForm: number
  windowS: number
}

/**
 * Count one anonymous post to a form: per client address (any form) and per form, in the core's
 * rate-limit store so the limit holds across instances (Redis). Past either, SMTPD's own 429
 * `RATE_LIMITED` with Retry-After, before the body is read and before any notification is sent. A post
 * refused per address is not counted against the form, so one address cannot use up a form's budget.
 */
export async function throttleFormPost(
  ctx: PluginContext,
  limits: FormLimits | undefined,
  formId: string,
  address: string | undefined,
): Promise<void> {
  if (!limits) return
  // The windows as the plugin declares them (rate-limits.ts, listed by --help).
  const o = {
    formPostsPerAddress: limits.perAddress,
    formPostsPerForm: limits.perForm,
    formWindowS: limits.windowS,
  }
  const counts: [RateLimitWindow | null, string][] = [
    [formPostsPerAddress.window(o), `smtpd-form-address:${address || 'unknown'}`],
    [formPostsPerForm.window(o), `smtpd-form:${formId}`],
  ]
  for (const [window, key] of counts) {
    if (!window) continue
    const wait = await consumeCall(ctx.rateLimits, key, window, ctx.clock)
    if (wait === null) continue
    // Counted in mailfront_rate_limited_total by the core when it answers the RATE_LIMITED.
    throw errors.RATE_LIMITED({ headers: { 'Retry-After': String(wait) } })
  }
}
