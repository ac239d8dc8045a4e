import { createPublicKey } from 'node:crypto'
import type { PluginContext, Row } from '@mailfront/core'
import { ksuidLike } from '../keys.ts'
import type { SendingFixtures } from './fixtures-schema.ts'
import {
  FORM,
  type FormRow,
  PROFILE,
  type ProfileRow,
  REVISION,
  type RevisionRow,
  SEND,
  SEND_EVENT,
  type SendEventRow,
  type SendRow,
  TEMPLATE,
  type TemplateRow,
} from './models.ts'
import { dkimKeyPair } from './profiles.ts'

const CATEGORY: Record<string, string> = { queued: 'processed' }
const one = <T extends { id: string | number }>(
  ctx: PluginContext,
  model: string,
  field: string,
  value: unknown,
) => ctx.storage.findOne<T & Row>({ model, where: { field, value } })

/** Upsert by natural key: profile name (per account), template id or name, form key, send key. */
export async function loadSending(
  ctx: PluginContext,
  accountId: string,
  f: SendingFixtures,
): Promise<number> {
  const db = ctx.storage
  const now = ctx.clock.now()
  const byName = new Map<string, ProfileRow>()
  for (const p of f.profiles) {
    const keys = p.dkim_private_key
      ? {
          dkim_private_key: p.dkim_private_key,
          dkim_public_key: createPublicKey(p.dkim_private_key)
            .export({ type: 'spki', format: 'der' })
            .toString('base64'),
        }
      : null
    const found = await db.findOne<ProfileRow>({
      model: PROFILE,
      where: {
        and: [
          { field: 'account_id', value: accountId },
          { field: 'profile_name', value: p.profile_name },
        ],
      },
    })
    const fields = {
      sending_domain: p.sending_domain.toLowerCase(),
      link_domain: p.link_domain.toLowerCase(),
      link_domain_default_redirect: p.link_domain_default_redirect,
      bounce_domain: p.bounce_domain.toLowerCase(),
      state: p.state,
      record_states: Object.fromEntries(
        ['dkim', 'spf', 'bounce', 'link'].map((k) => [k, p.state === 'active' ? 'valid' : 'pending']),
      ),
      ...(p.dkim_selector ? { dkim_selector: p.dkim_selector } : {}),
      ...(keys ?? {}),
      modified_at: now,
    }
    const row = found
      ? await db.updateOne<ProfileRow>({
          model: PROFILE,
          where: { field: 'id', value: found.id },
          set: fields,
        })
      : await db.create<ProfileRow>({
          model: PROFILE,
          data: {
            ...(p.id ? { id: p.id } : {}),
            account_id: accountId,
            profile_name: p.profile_name,
            dkim_selector: p.dkim_selector ?? ksuidLike().toLowerCase(),
            ...(keys ??
              (await dkimKeyPair().then((k) => ({
                dkim_private_key: k.privateKey,
                dkim_public_key: k.publicKey,
              })))),
            ...fields,
            verified_at: p.state === 'active' ? now : null,
            created_at: p.created_at ?? now,
          },
        })
    byName.set(p.profile_name, row!)
  }
  const profileNamed = async (name: string) =>
    byName.get(name) ??
    (await db.findOne<ProfileRow>({
      model: PROFILE,
      where: {
        and: [
          { field: 'account_id', value: accountId },
          { field: 'profile_name', value: name },
        ],
      },
    }))
  for (const t of f.templates) {
    const found =
      (t.id ? await one<TemplateRow>(ctx, TEMPLATE, 'id', t.id) : null) ??
      (await db.findOne<TemplateRow>({
        model: TEMPLATE,
        where: {
          and: [
            { field: 'account_id', value: accountId },
            { field: 'template_name', value: t.template_name },
          ],
        },
      }))
    const latest = t.latest_revision ?? Math.max(...t.revisions.map((r) => r.revision))
    const row = found
      ? (await db.updateOne<TemplateRow>({
          model: TEMPLATE,
          where: { field: 'id', value: found.id },
          set: { template_name: t.template_name, latest_revision: latest, modified_at: now },
        }))!
      : await db.create<TemplateRow>({
          model: TEMPLATE,
          data: {
            ...(t.id ? { id: t.id } : {}),
            account_id: accountId,
            template_name: t.template_name,
            latest_revision: latest,
            created_at: now,
            modified_at: now,
          },
        })
    await db.deleteMany({ model: REVISION, where: { field: 'template_id', value: row.id } })
    for (const { revision, ...body } of t.revisions)
      await db.create({
        model: REVISION,
        data: {
          template_id: row.id,
          revision,
          body: { template_name: t.template_name, ...body },
          created_at: now,
        },
      })
  }
  for (const fm of f.forms) {
    const profile = (
      await db.findMany<ProfileRow>({ model: PROFILE, where: { field: 'account_id', value: accountId } })
    ).find((p) => p.link_domain === fm.link_domain.toLowerCase())
    if (!profile)
      throw new Error(
        `smtpd form ${fm.form_key}: no profile of the account has link domain ${fm.link_domain}`,
      )
    const { id, created_at, ...rest } = fm
    await db.deleteMany({ model: FORM, where: { field: 'form_key', value: fm.form_key } })
    await db.create<FormRow>({
      model: FORM,
      data: {
        ...(id ? { id } : {}),
        ...rest,
        link_domain: profile.link_domain,
        account_id: accountId,
        sending_profile_id: profile.id,
        created_at: created_at ?? now,
        modified_at: now,
      },
    })
  }
  for (const s of f.sends) {
    const profile = await profileNamed(s.profile_name)
    if (!profile) throw new Error(`smtpd send ${s.send_key}: no profile named ${s.profile_name}`)
    const old = await one<SendRow>(ctx, SEND, 'send_key', s.send_key)
    if (old) {
      await db.deleteMany({ model: SEND_EVENT, where: { field: 'send_id', value: old.id } })
      await db.deleteOne({ model: SEND, where: { field: 'id', value: old.id } })
    }
    const { id, events, profile_name: _, ...rest } = s
    const send = await db.create<SendRow>({
      model: SEND,
      data: {
        ...(id ? { id } : {}),
        ...rest,
        account_id: accountId,
        sending_profile_id: profile.id,
        state_category: CATEGORY[s.state] ?? s.state,
        message_id: null,
        modified_at: events.at(-1)?.at ?? s.created_at,
      },
    })
    const domain = s.recipient_email_address.split('@')[1]!.toLowerCase()
    for (const e of events)
      await db.create({
        model: SEND_EVENT,
        data: {
          send_id: send.id,
          account_id: accountId,
          type: e.type,
          detail: e.detail,
          recipient_domain: domain,
          created_at: e.at,
        },
      })
  }
  return f.profiles.length + f.templates.length + f.forms.length + f.sends.length
}

/** Everything of one account's sending, in the fixtures' shape (the DKIM key as stored: the server signs with it). */
export async function exportSending(ctx: PluginContext, accountId: string): Promise<SendingFixtures> {
  const db = ctx.storage
  const where = { field: 'account_id', value: accountId }
  const profiles = await db.findMany<ProfileRow>({
    model: PROFILE,
    where,
    sort: [{ field: 'created_at' }, { field: 'profile_name' }],
  })
  const names = new Map(profiles.map((p) => [p.id, p.profile_name]))
  const templates = await db.findMany<TemplateRow>({
    model: TEMPLATE,
    where,
    sort: [{ field: 'created_at' }],
  })
  const forms = await db.findMany<FormRow>({ model: FORM, where, sort: [{ field: 'created_at' }] })
  const sends = await db.findMany<SendRow>({ model: SEND, where, sort: [{ field: 'created_at' }] })
  return {
    profiles: profiles.map((p) => ({
      id: p.id,
      profile_name: p.profile_name,
      sending_domain: p.sending_domain,
      link_domain: p.link_domain,
      link_domain_default_redirect: p.link_domain_default_redirect,
      bounce_domain: p.bounce_domain,
      state: p.state,
      dkim_selector: p.dkim_selector,
      dkim_private_key: p.dkim_private_key,
      created_at: p.created_at,
    })),
    templates: await Promise.all(
      templates.map(async (t) => ({
        id: t.id,
        template_name: t.template_name,
        latest_revision: t.latest_revision,
        revisions: (
          await db.findMany<RevisionRow>({
            model: REVISION,
            where: { field: 'template_id', value: t.id },
            sort: [{ field: 'revision' }],
          })
        ).map(({ revision, body: { template_name: _, subject, ...b } }) => ({
          revision,
          ...(subject === undefined ? {} : { subject }),
          ...b,
        })),
      })),
    ),
    forms: forms.map((f) => ({
      id: f.id,
      form_key: f.form_key,
      form_name: f.form_name,
      link_domain: f.link_domain,
      notification_email_address: f.notification_email_address,
      enable_email_notification: f.enable_email_notification,
      required_fields: f.required_fields,
      default_redirect: f.default_redirect,
      success_redirect: f.success_redirect,
      failure_redirect: f.failure_redirect,
      tags: f.tags,
      state: f.state as 'active',
      created_at: f.created_at,
    })),
    sends: await Promise.all(
      sends.map(async (s) => ({
        id: s.id,
        send_key: s.send_key,
        profile_name: names.get(s.sending_profile_id) ?? '',
        from_email_address: s.from_email_address,
        from_name: s.from_name,
        reply_to: s.reply_to,
        recipient_email_address: s.recipient_email_address,
        recipient_name: s.recipient_name,
        subject: s.subject,
        content_html: s.content_html,
        content_text: s.content_text,
        open_tracking: s.open_tracking,
        click_tracking: s.click_tracking,
        tags: s.tags,
        state: s.state as 'delivered',
        error: s.error,
        created_at: s.created_at,
        events: (
          await db.findMany<SendEventRow>({
            model: SEND_EVENT,
            where: { field: 'send_id', value: s.id },
            sort: [{ field: 'id' }],
          })
        ).map((e) => ({ type: e.type, detail: e.detail, at: e.created_at })),
      })),
    ),
  }
}
