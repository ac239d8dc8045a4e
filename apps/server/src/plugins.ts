import type { MailfrontPlugin } from '@mailfront/core'
import { authsmtpPlugin } from '@mailfront/plugin-authsmtp'
import { mailboxorgPlugin } from '@mailfront/plugin-mailboxorg'
import { smtpdPlugin } from '@mailfront/plugin-smtpd'
import { tmailPlugin } from '@mailfront/plugin-tmail'

/** The plugins this server can mount, by id. A new provider is one line here. */
export const AVAILABLE_PLUGINS: Record<string, () => MailfrontPlugin> = {
  authsmtp: authsmtpPlugin,
  smtpd: smtpdPlugin,
  tmail: tmailPlugin,
  mailboxorg: mailboxorgPlugin,
}

export const DEFAULT_PLUGINS = ['authsmtp', 'smtpd', 'tmail', 'mailboxorg']
