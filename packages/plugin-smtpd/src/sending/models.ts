import type { ModelSchema, Row } from '@mailfront/core'

export const PROFILE = 'smtpd_profile'
export const SEND = 'smtpd_send'
export const SEND_EVENT = 'smtpd_send_event'
export const TEMPLATE = 'smtpd_template'
export const REVISION = 'smtpd_template_revision'
export const FORM = 'smtpd_form'

export type ProfileState = 'creating' | 'pending' | 'active'
export type RecordState = 'pending' | 'valid' | 'invalid'

export const sendingModels: ModelSchema = {
  [PROFILE]: {
    fields: {
      account_id: { type: 'string', index: true },
      profile_name: { type: 'string' },
      sending_domain: { type: 'string', index: true },
      link_domain: { type: 'string', index: true },
      link_domain_default_redirect: { type: 'string', default: '' },
      bounce_domain: { type: 'string' },
      state: { type: 'string' },
      dkim_selector: { type: 'string' },
      // The DKIM signing key (PKCS#8 PEM): a key the server must use, so it is stored as is.
      dkim_private_key: { type: 'string' },
      dkim_public_key: { type: 'string' },
      // Validation state of each DNS record, by record kind (dkim, spf, bounce, link).
      record_states: { type: 'json' },
      verified_at: { type: 'timestamp', optional: true },
      created_at: { type: 'timestamp' },
      modified_at: { type: 'timestamp' },
    },
    indexes: [{ fields: ['account_id', 'profile_name'], unique: true }],
  },
  [SEND]: {
    fields: {
      account_id: { type: 'string', index: true },
      send_key: { type: 'string', unique: true },
      sending_profile_id: { type: 'string', index: true },
      from_email_address: { type: 'string' },
      from_name: { type: 'string', default: '' },
      reply_to: { type: 'string', default: '' },
      recipient_email_address: { type: 'string', index: true },
      recipient_name: { type: 'string', default: '' },
      subject: { type: 'string' },
      content_html: { type: 'string', default: '' },
      content_text: { type: 'string', default: '' },
      open_tracking: { type: 'boolean', default: false },
      click_tracking: { type: 'boolean', default: false },
      tags: { type: 'json' },
      template_id: { type: 'string', optional: true },
      template_revision: { type: 'integer', optional: true },
      state: { type: 'string' },
      state_category: { type: 'string' },
      error: { type: 'string', default: '' },
      // The mail pipeline's message id, once submitted.
      message_id: { type: 'string', optional: true, index: true },
      created_at: { type: 'timestamp', index: true },
      modified_at: { type: 'timestamp' },
    },
  },
  // Serial ids: the order events happened in, even within one millisecond.
  [SEND_EVENT]: {
    id: 'serial',
    fields: {
      send_id: { type: 'string', index: true },
      account_id: { type: 'string', index: true },
      type: { type: 'string' },
      detail: { type: 'string', default: '' },
      recipient_domain: { type: 'string', default: '' },
      user_agent: { type: 'string', default: '' },
      created_at: { type: 'timestamp', index: true },
    },
  },
  [TEMPLATE]: {
    fields: {
      account_id: { type: 'string', index: true },
      template_name: { type: 'string' },
      latest_revision: { type: 'integer' },
      created_at: { type: 'timestamp' },
      modified_at: { type: 'timestamp' },
    },
  },
  [REVISION]: {
    fields: {
      template_id: { type: 'string', index: true },
      revision: { type: 'integer' },
      // The template body as posted (content, from, reply_to, tracking flags, tags, subject).
      body: { type: 'json' },
      created_at: { type: 'timestamp' },
    },
    indexes: [{ fields: ['template_id', 'revision'], unique: true }],
  },
  [FORM]: {
    fields: {
      account_id: { type: 'string', index: true },
      form_key: { type: 'string', unique: true },
      form_name: { type: 'string' },
      sending_profile_id: { type: 'string' },
      link_domain: { type: 'string' },
      notification_email_address: { type: 'string' },
      enable_email_notification: { type: 'boolean', default: false },
      required_fields: { type: 'json' },
      default_redirect: { type: 'string' },
      success_redirect: { type: 'string' },
      failure_redirect: { type: 'string' },
      tags: { type: 'json' },
      state: { type: 'string' },
      created_at: { type: 'timestamp' },
      modified_at: { type: 'timestamp' },
    },
  },
}

export interface ProfileRow extends Row {
  id: string
  account_id: string
  profile_name: string
  sending_domain: string
  link_domain: string
  link_domain_default_redirect: string
  bounce_domain: string
  state: ProfileState
  dkim_selector: string
  dkim_private_key: string
  dkim_public_key: string
  record_states: Record<string, RecordState>
  verified_at: number | null
  created_at: number
  modified_at: number
}

export interface SendRow extends Row {
  id: string
  account_id: string
  send_key: string
  sending_profile_id: string
  from_email_address: string
  from_name: string
  reply_to: string
  recipient_email_address: string
  recipient_name: string
  subject: string
  content_html: string
  content_text: string
  open_tracking: boolean
  click_tracking: boolean
  tags: string[]
  template_id: string | null
  template_revision: number | null
  state: string
  state_category: string
  error: string
  message_id: string | null
  created_at: number
  modified_at: number
}

export interface SendEventRow extends Row {
  id: number
  send_id: string
  account_id: string
  type: string
  detail: string
  recipient_domain: string
  user_agent: string
  created_at: number
}

export interface TemplateRow extends Row {
  id: string
  account_id: string
  template_name: string
  latest_revision: number
  created_at: number
  modified_at: number
}

export interface RevisionRow extends Row {
  id: string
  template_id: string
  revision: number
  body: TemplateBody
  created_at: number
}

export interface TemplateBody {
  template_name: string
  subject?: string | undefined
  content_html: string
  content_text: string
  from_email_address: string
  from_name: string
  reply_to: string
  open_tracking: boolean
  link_tracking: boolean
  tags: string[]
}

export interface FormRow extends Row {
  id: string
  account_id: string
  form_key: string
  form_name: string
  sending_profile_id: string
  link_domain: string
  notification_email_address: string
  enable_email_notification: boolean
  required_fields: string[]
  default_redirect: string
  success_redirect: string
  failure_redirect: string
  tags: string[]
  state: string
  created_at: number
  modified_at: number
}
