import { z } from '@mailfront/core'

const time = z
  .union([z.number().int().nonnegative(), z.string().datetime({ offset: true })])
  .transform((v) => (typeof v === 'number' ? v : Date.parse(v)))
const tags = z.array(z.string().max(256)).max(256).default([])

/** The sending part of one account's fixtures: profiles, templates, forms, sends (with events). */
export const sendingFixtureFields = {
  profiles: z
    .array(
      z
        .object({
          id: z.string().uuid().optional(),
          profile_name: z.string().min(1),
          sending_domain: z.string().min(1),
          link_domain: z.string().min(1),
          link_domain_default_redirect: z.string().default(''),
          bounce_domain: z.string().min(1),
          state: z.enum(['creating', 'pending', 'active']).default('active'),
          dkim_selector: z
            .string()
            .regex(/^[a-z0-9-]{1,63}$/)
            .optional(),
          dkim_private_key: z
            .string()
            .startsWith('-----BEGIN PRIVATE KEY-----')
            .optional()
            .describe('PKCS#8 PEM; a new key pair is made when omitted'),
          created_at: time.optional(),
        })
        .strict(),
    )
    .default([]),
  templates: z
    .array(
      z
        .object({
          id: z.string().uuid().optional(),
          template_name: z.string().min(1),
          latest_revision: z.number().int().positive().optional(),
          revisions: z
            .array(
              z
                .object({
                  revision: z.number().int().positive(),
                  subject: z.string().optional(),
                  content_html: z.string().default(''),
                  content_text: z.string().default(''),
                  from_email_address: z.string().email(),
                  from_name: z.string().default(''),
                  reply_to: z.string().default(''),
                  open_tracking: z.boolean().default(false),
                  link_tracking: z.boolean().default(false),
                  tags,
                })
                .strict(),
            )
            .min(1),
        })
        .strict(),
    )
    .default([]),
  forms: z
    .array(
      z
        .object({
          id: z.string().uuid().optional(),
          form_key: z.string().min(1),
          form_name: z.string().min(1),
          link_domain: z.string().min(1).describe("a profile's link domain"),
          notification_email_address: z.string().email(),
          enable_email_notification: z.boolean().default(false),
          required_fields: z.array(z.string()).default([]),
          default_redirect: z.string().url(),
          success_redirect: z.string().url(),
          failure_redirect: z.string().url(),
          tags,
          state: z.enum(['creating', 'active', 'disabled']).default('active'),
          created_at: time.optional(),
        })
        .strict(),
    )
    .default([]),
  sends: z
    .array(
      z
        .object({
          id: z.string().uuid().optional(),
          send_key: z.string().min(1),
          profile_name: z.string().describe('the sending profile, by name'),
          from_email_address: z.string().email(),
          from_name: z.string().default(''),
          reply_to: z.string().default(''),
          recipient_email_address: z.string().email(),
          recipient_name: z.string().default(''),
          subject: z.string(),
          content_html: z.string().default(''),
          content_text: z.string().default(''),
          open_tracking: z.boolean().default(false),
          click_tracking: z.boolean().default(false),
          tags,
          state: z.enum(['accepted', 'processed', 'queued', 'sent', 'delivered', 'bounced', 'rejected']),
          error: z.string().default(''),
          created_at: time,
          events: z
            .array(z.object({ type: z.string(), detail: z.string().default(''), at: time }).strict())
            .default([]),
        })
        .strict(),
    )
    .default([]),
}
const section = z.object(sendingFixtureFields)
export type SendingFixtures = z.infer<typeof section>
