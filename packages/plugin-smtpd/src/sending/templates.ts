import type { PluginContext } from '@mailfront/core'
import { errors } from '../errors.ts'
import { REVISION, type RevisionRow, TEMPLATE, type TemplateBody, type TemplateRow } from './models.ts'
import type { SendInput } from './sends.ts'

export async function createTemplate(
  ctx: PluginContext,
  accountId: string,
  body: TemplateBody,
  o: { id?: string; at?: number } = {},
): Promise<{ template: TemplateRow; revision: number }> {
  const now = o.at ?? ctx.clock.now()
  return ctx.storage.transaction(async (tx) => {
    const template = await tx.create<TemplateRow>({
      model: TEMPLATE,
      data: {
        ...(o.id ? { id: o.id } : {}),
        account_id: accountId,
        template_name: body.template_name,
        latest_revision: 1,
        created_at: now,
        modified_at: now,
      },
    })
    await tx.create({
      model: REVISION,
      data: { template_id: template.id, revision: 1, body, created_at: now },
    })
    return { template, revision: 1 }
  })
}

export async function ownTemplate(ctx: PluginContext, accountId: string, id: string): Promise<TemplateRow> {
  const t = await ctx.storage.findOne<TemplateRow>({ model: TEMPLATE, where: { field: 'id', value: id } })
  if (!t || t.account_id !== accountId) throw errors.BAD_ID()
  return t
}

/** A new revision (the next number) becomes the latest. */
export async function addRevision(
  ctx: PluginContext,
  t: TemplateRow,
  body: TemplateBody,
  at = ctx.clock.now(),
): Promise<number> {
  return ctx.storage.transaction(async (tx) => {
    const last = await tx.findMany<RevisionRow>({
      model: REVISION,
      where: { field: 'template_id', value: t.id },
      sort: [{ field: 'revision', dir: 'desc' }],
      limit: 1,
    })
    const revision = (last[0]?.revision ?? 0) + 1
    await tx.create({ model: REVISION, data: { template_id: t.id, revision, body, created_at: at } })
    await tx.updateOne({
      model: TEMPLATE,
      where: { field: 'id', value: t.id },
      set: { latest_revision: revision, template_name: body.template_name, modified_at: at },
    })
    return revision
  })
}

export async function revisionOf(ctx: PluginContext, templateId: string, revision: number) {
  const r = await ctx.storage.findOne<RevisionRow>({
    model: REVISION,
    where: {
      and: [
        { field: 'template_id', value: templateId },
        { field: 'revision', value: revision },
      ],
    },
  })
  if (!r) throw errors.BAD_ID({ message: `Resource ID provided is invalid: no revision ${revision}` })
  return r
}

/**
 * A send from a template: the template's revision (the latest unless named) gives the sender,
 * content, tracking and tags; the request gives the recipient and may override the subject, the
 * tracking flags and add tags. The template's name is added as a tag (as the docs say).
 */
export async function fromTemplate(
  ctx: PluginContext,
  accountId: string,
  req: {
    template_id: string
    template_revision?: number | undefined
    recipient_email_address: string
    recipient_name: string
    subject?: string | undefined
    tags: string[]
    open_tracking?: boolean | undefined
    click_tracking?: boolean | undefined
  },
): Promise<SendInput> {
  const t = await ownTemplate(ctx, accountId, req.template_id)
  const rev = await revisionOf(ctx, t.id, req.template_revision ?? t.latest_revision)
  const b = rev.body
  return {
    recipient_email_address: req.recipient_email_address,
    recipient_name: req.recipient_name,
    from_email_address: b.from_email_address,
    from_name: b.from_name,
    reply_to: b.reply_to,
    subject: req.subject || b.subject || b.template_name,
    content_html: b.content_html,
    content_text: b.content_text,
    open_tracking: req.open_tracking ?? b.open_tracking,
    click_tracking: req.click_tracking ?? b.link_tracking,
    tags: [...new Set([...b.tags, b.template_name, ...req.tags])].slice(0, 256),
    template_id: t.id,
    template_revision: rev.revision,
  }
}
