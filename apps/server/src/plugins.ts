import type { MailfrontPlugin } from '@mailfront/core'
import { authsmtpPlugin } from '@mailfront/plugin-authsmtp'
import { mailboxorgPlugin } from '@mailfront/plugin-mailboxorg'
import { smtpdPlugin } from '@mailfront/plugin-smtpd'
import { tmailPlugin } from '@mailfront/plugin-tmail'

/**
 * The plugins this server installs, in mount order: the one list. Everything else (ids, the default
 * selection, CLI groups, docs, demo data, options) is read from the plugin objects (registry.ts).
 * A new provider is one line here.
 */
export const INSTALLED_PLUGINS: (() => MailfrontPlugin)[] = [
  authsmtpPlugin,
  smtpdPlugin,
  tmailPlugin,
  mailboxorgPlugin,
]
