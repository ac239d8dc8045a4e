import { type OpenAPIHono, type PluginEnv, z } from '@mailfront/core'
import type { Authorize } from '../auth.ts'
import { requireRoom } from '../plan-limits.ts'
import { TEMPLATE, type TemplateBody } from '../sending/models.ts'
import type { Sending } from '../sending/service.ts'
import { addRevision, createTemplate, ownTemplate, revisionOf } from '../sending/templates.ts'
import { authed, json, jsonBody, smtpdRoutes } from './common.ts'
import { idParam } from './schemas.ts'
import { NewTemplate } from './sending-schemas.ts'

const Created = z
  .object({ template_id: z.string(), revision: z.number().int() })
  .openapi('SmtpdTemplateRevision')
const templateBody = (b: z.infer<typeof NewTemplate>): TemplateBody => ({ ...b, subject: b.subject })

/** Templates (beta in the docs): create, new revision, set the latest. Sending from one is on /send. */
export function registerTemplates(app: OpenAPIHono<PluginEnv>, authorize: Authorize, sending: Sending) {
  const { ctx } = sending
  const route = smtpdRoutes(app, authorize)
  route(
    authed('manage_profiles', {
      method: 'post',
      path: '/api/v1/email/template',
      operationId: 'smtpdCreateTemplate',
      summary: 'Create a template (revision 1)',
      request: jsonBody(NewTemplate),
      ok: { status: 201, body: json(Created, 'Created') },
      errors: ['VALIDATION_FAILED', 'PLAN_TEMPLATE_LIMIT'],
    }),
    async (c, { auth: p, body }) => {
      await requireRoom(ctx, p.accountId, 'templates')
      const { template, revision } = await createTemplate(ctx, p.accountId, templateBody(body))
      return c.json({ template_id: template.id, revision }, 201)
    },
  )
  route(
    authed('manage_profiles', {
      method: 'post',
      path: '/api/v1/email/template/{id}',
      operationId: 'smtpdTemplateRevision',
      summary: 'A new revision of a template; it becomes the latest',
      request: { params: idParam, ...jsonBody(NewTemplate) },
      ok: { status: 200, body: json(Created, 'The new revision') },
      errors: ['VALIDATION_FAILED', 'BAD_ID'],
    }),
    async (c, { auth: p, body }) => {
      const t = await ownTemplate(ctx, p.accountId, c.req.param('id')!)
      const revision = await addRevision(ctx, t, templateBody(body))
      return c.json({ template_id: t.id, revision })
    },
  )
  route(
    authed('manage_profiles', {
      method: 'post',
      path: '/api/v1/email/template/{id}/latest',
      operationId: 'smtpdTemplateLatest',
      summary: 'Make a revision the latest (the one sends use by default); answers `null`',
      request: { params: idParam, ...jsonBody(z.object({ revision: z.number().int().positive() })) },
      ok: { status: 200, body: json(z.null(), 'null') },
      errors: ['VALIDATION_FAILED', 'BAD_ID'],
    }),
    async (c, { auth: p, body }) => {
      const t = await ownTemplate(ctx, p.accountId, c.req.param('id')!)
      const { revision } = body
      await revisionOf(ctx, t.id, revision)
      await ctx.storage.updateOne({
        model: TEMPLATE,
        where: { field: 'id', value: t.id },
        set: { latest_revision: revision, modified_at: ctx.clock.now() },
      })
      return c.json(null)
    },
  )
}
