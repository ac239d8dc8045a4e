import { z } from '@mailfront/core'

const host = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a domain name')
const url = z.string().trim().url().max(2000)
/** At most 256 tags of at most 256 characters (the docs); `null` (Go's nil slice) means none. */
export const Tags = z
  .array(z.string().max(256))
  .max(256)
  .nullish()
  .transform((t) => t ?? [])

export const NewProfile = z
  .object({
    profile_name: z.string().trim().min(1).max(100),
    sending_domain: host,
    link_domain: host,
    link_domain_default_redirect: url,
    bounce_domain: host,
  })
  .openapi('SmtpdNewProfile')

export const CreatedProfile = z
  .object({ profile_id: z.string(), profile_name: z.string(), state: z.literal('creating') })
  .openapi('SmtpdCreatedProfile')

const profileFields = {
  profile_id: z.string(),
  profile_name: z.string(),
  sending_domain: z.string(),
  link_domain: z.string(),
  link_domain_default_redirect: z.string(),
  bounce_domain: z.string(),
  state: z.enum(['creating', 'pending', 'active']),
  created_at_utc: z.number().int(),
  modified_at_utc: z.number().int(),
}
export const Profile = z.object(profileFields).openapi('SmtpdProfile')
export const ProfileSetup = z
  .object({
    ...profileFields,
    dns_records: z.array(
      z.object({
        name: z.string(),
        type: z.enum(['TXT', 'CNAME']),
        value: z.string(),
        validation_state: z.enum(['pending', 'valid', 'invalid']),
      }),
    ),
  })
  .openapi('SmtpdProfileSetup')

export const Send = z
  .object({
    template_id: z
      .string()
      .uuid()
      .optional()
      .describe('send from a template (mailfront: the docs lost these fields)'),
    template_revision: z.number().int().positive().optional().describe('default: the latest revision'),
    recipient_email_address: z.string().trim().email(),
    recipient_name: z.string().max(200).default(''),
    from_email_address: z.string().trim().email().optional(),
    from_name: z.string().max(200).optional(),
    reply_to: z.union([z.string().trim().email(), z.literal('')]).optional(),
    subject: z.string().max(998).optional(),
    content_html: z.string().optional(),
    content_text: z.string().optional(),
    tags: Tags,
    click_tracking: z.boolean().optional(),
    open_tracking: z.boolean().optional(),
  })
  .superRefine((b, ctx) => {
    if (b.template_id) return
    if (!b.from_email_address)
      ctx.addIssue({ code: 'custom', path: ['from_email_address'], message: 'Required' })
    if (!b.subject) ctx.addIssue({ code: 'custom', path: ['subject'], message: 'Required' })
    if (!b.content_html && !b.content_text)
      ctx.addIssue({
        code: 'custom',
        path: ['content_text'],
        message: 'content_html or content_text is required',
      })
  })
  .openapi('SmtpdSend')

export const SendObject = z
  .object({
    send_id: z.string(),
    send_key: z.string(),
    sending_profile_id: z.string(),
    from_email_address: z.string(),
    from_name: z.string(),
    recipient_email_address: z.string(),
    recipient_name: z.string(),
    subject: z.string(),
    open_tracking: z.boolean(),
    click_tracking: z.boolean(),
    tags: z.array(z.string()),
    state: z.string().describe('accepted, processed, queued, sent, delivered, bounced, rejected'),
    state_category: z.string(),
    error: z.string().optional().describe('the reason of a bounce or rejection'),
    created_at_utc: z.number().int(),
    modified_at_utc: z.number().int(),
  })
  .openapi('SmtpdSendObject')

export const SendEvent = z
  .object({
    id: z.string(),
    send_id: z.string(),
    type: z.string().describe('accepted, processed, queued, sent, delivered, bounced, rejected, open, click'),
    detail: z.string().describe('the SMTP reply, the reason, or the clicked URL'),
    created_at_utc: z.number().int(),
  })
  .openapi('SmtpdSendEvent')

export const NewTemplate = z
  .object({
    template_name: z.string().trim().min(1).max(200),
    subject: z
      .string()
      .max(998)
      .optional()
      .describe('mailfront: the subject of its sends (default: the name)'),
    content_html: z.string().default(''),
    content_text: z.string().default(''),
    from_email_address: z.string().trim().email(),
    from_name: z.string().max(200).default(''),
    reply_to: z.union([z.string().trim().email(), z.literal('')]).default(''),
    open_tracking: z.boolean().default(false),
    link_tracking: z.boolean().default(false),
    tags: Tags,
  })
  .refine((b) => b.content_html || b.content_text, {
    path: ['content_text'],
    message: 'content_html or content_text is required',
  })
  .openapi('SmtpdNewTemplate')

export const NewForm = z
  .object({
    form_name: z.string().trim().min(1).max(200),
    link_domain: host,
    notification_email_address: z.string().trim().email(),
    required_fields: z.union([z.array(z.string().min(1).max(100)).max(100), z.string()]).transform((v) =>
      Array.isArray(v)
        ? v
        : v
            .split(',')
            .map((f) => f.trim())
            .filter(Boolean),
    ),
    default_redirect: url,
    success_redirect: url,
    failure_redirect: url,
    tags: Tags,
    enable_email_notification: z.boolean().default(false),
  })
  .openapi('SmtpdNewForm')

export const Form = z
  .object({
    form_id: z.string(),
    form_key: z.string(),
    form_name: z.string(),
    sending_profile_id: z.string(),
    notification_email_address: z.string(),
    enable_email_notification: z.boolean(),
    notification_email_address_verified: z.boolean(),
    form_endpoint: z.string(),
    default_redirect: z.string(),
    success_redirect: z.string(),
    failure_redirect: z.string(),
    required_fields: z.array(z.string()),
    tags: z.array(z.string()),
    state: z.string(),
    created_at_utc: z.number().int(),
    modified_at_utc: z.number().int(),
  })
  .openapi('SmtpdForm')

export const Period = z.object({
  from: z.string().regex(/^\d+$/).optional().describe('Unix seconds or milliseconds (default: 31 days ago)'),
  to: z.string().regex(/^\d+$/).optional().describe('Unix seconds or milliseconds (default: now)'),
})
