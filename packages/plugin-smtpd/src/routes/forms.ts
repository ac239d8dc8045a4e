import { type OpenAPIHono, type PluginEnv, z } from '@mailfront/core'
import type { Authorize } from '../auth.ts'
import { readFields } from '../body.ts'
import { errors } from '../errors.ts'
import { requireRoom } from '../plan-limits.ts'
import { createForm, formView, notificationText, settleForm, throttleFormPost } from '../sending/forms.ts'
import { FORM, type FormRow, PROFILE, type ProfileRow } from '../sending/models.ts'
import { createSend } from '../sending/sends.ts'
import type { Sending } from '../sending/service.ts'
import { authed, type C, clientAddress, json, jsonBody, smtpdRoutes } from './common.ts'
import { idParam } from './schemas.ts'
import { Form, NewForm } from './sending-schemas.ts'

const keyParam = z.object({ form_key: z.string().openapi({ param: { name: 'form_key', in: 'path' } }) })

/** Forms: create, get, disable, and the public endpoint `POST /f/<form_key>` that sends the notification. */
export function registerForms(app: OpenAPIHono<PluginEnv>, authorize: Authorize, sending: Sending) {
  const { ctx, opts } = sending
  const db = ctx.storage
  const route = smtpdRoutes(app, authorize)
  const own = async (c: C, accountId: string) => {
    const f = await db.findOne<FormRow>({ model: FORM, where: { field: 'id', value: c.req.param('id')! } })
    if (!f || f.account_id !== accountId) throw errors.BAD_ID()
    return settleForm(ctx, f)
  }

  route(
    authed('manage_profiles', {
      method: 'post',
      path: '/api/v1/email/form',
      operationId: 'smtpdCreateForm',
      summary: "Create a form on an active profile's link domain; it starts `creating`",
      request: jsonBody(NewForm),
      ok: { status: 200, body: json(Form, 'Form created') },
      errors: ['VALIDATION_FAILED', 'DOMAIN_NOT_READY', 'PLAN_FORM_LIMIT'],
    }),
    async (c, { auth: p, body }) => {
      await requireRoom(ctx, p.accountId, 'forms')
      const f = await createForm(ctx, p.accountId, body)
      sending.background('form setup', () => settleForm(ctx, f))
      return c.json(formView(f, opts.trackingBaseUrl))
    },
  )
  route(
    authed('read', {
      method: 'get',
      path: '/api/v1/email/form/{id}',
      operationId: 'smtpdForm',
      summary: 'One form',
      request: { params: idParam },
      ok: { status: 200, body: json(Form, 'The form') },
      errors: ['BAD_ID'],
    }),
    async (c, { auth: p }) => c.json(formView(await own(c, p.accountId), opts.trackingBaseUrl)),
  )
  route(
    authed('manage_profiles', {
      method: 'put',
      path: '/api/v1/email/form/{id}/disable',
      operationId: 'smtpdDisableForm',
      summary: 'Disable a form: its endpoint stops at once; answers `null`',
      request: { params: idParam },
      ok: { status: 200, body: json(z.null(), 'null') },
      errors: ['BAD_ID'],
    }),
    async (c, { auth: p }) => {
      const f = await own(c, p.accountId)
      await db.updateOne({
        model: FORM,
        where: { field: 'id', value: f.id },
        set: { state: 'disabled', modified_at: ctx.clock.now() },
      })
      return c.json(null)
    },
  )

  const live = async (key: string) => {
    const f = await db.findOne<FormRow>({ model: FORM, where: { field: 'form_key', value: key } })
    if (!f) throw errors.BAD_ID()
    return settleForm(ctx, f)
  }
  route(
    {
      method: 'get',
      path: '/f/{form_key}',
      operationId: 'smtpdFormVisit',
      summary: "A browser visiting a form's endpoint: redirected to its default page",
      request: { params: keyParam },
      responses: { 302: { description: 'To `default_redirect`' } },
    },
    async (c, { params }) => c.redirect((await live(params.form_key)).default_redirect, 302),
  )
  route(
    {
      method: 'post',
      path: '/f/{form_key}',
      operationId: 'smtpdFormSubmit',
      summary: 'Submit a form (no auth; form-encoded or JSON fields)',
      description:
        'Every required field present and the notification (if enabled) accepted → 303 to `success_redirect`; ' +
        'otherwise (a missing field, a disabled form, a refused send) → 303 to `failure_redirect`.',
      request: { params: keyParam },
      responses: {
        303: { description: 'To `success_redirect` or `failure_redirect`' },
        429: { description: 'Too many posts from this address or to this form (42901, `Retry-After`)' },
      },
    },
    async (c, { params }) => {
      const f = await live(params.form_key)
      await throttleFormPost(ctx, opts.formLimits, f.id, clientAddress(c))
      const fields = await readFields(c, ctx.bodyLimit)
      const missing = f.required_fields.filter((k) => !fields[k]?.trim())
      if (f.state === 'disabled' || missing.length) return c.redirect(f.failure_redirect, 303)
      if (f.enable_email_notification) {
        const profile = await db.findOne<ProfileRow>({
          model: PROFILE,
          where: { field: 'id', value: f.sending_profile_id },
        })
        try {
          if (!profile) throw errors.DOMAIN_NOT_READY()
          const ip = clientAddress(c)
          const send = await createSend(
            sending,
            { accountId: f.account_id, signal: c.req.raw.signal, ...(ip ? { clientAddress: ip } : {}) },
            {
              recipient_email_address: f.notification_email_address,
              recipient_name: '',
              from_email_address: `forms@${profile.sending_domain}`,
              from_name: f.form_name,
              reply_to: /^[^@\s]+@[^@\s]+$/.test(fields.email ?? '') ? fields.email! : '',
              subject: `New submission: ${f.form_name}`,
              content_html: '',
              content_text: notificationText(f, fields),
              open_tracking: false,
              click_tracking: false,
              tags: [...new Set(['form', ...f.tags])],
            },
          )
          if (send.state === 'rejected') return c.redirect(f.failure_redirect, 303)
        } catch (e) {
          ctx.log.warn({ err: e, form: f.id }, 'smtpd: form notification refused')
          return c.redirect(f.failure_redirect, 303)
        }
      }
      return c.redirect(f.success_redirect, 303)
    },
  )
}
