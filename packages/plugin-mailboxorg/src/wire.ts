/**
 * The mailbox.org wire format in one place: every key of every object the methods return, in the
 * order they are returned, with where it comes from:
 * - `live`: asserted against the live API by the Python client's live tests (heshsum/mailbox-org-api,
 *   tests/TestAPIClient.py);
 * - `reference`: named by the method documentation, the Perl client's generated method table
 *   (PerlServices/API-MailboxOrg) or the Python client's code, but not seen in a live answer;
 * - `reconstructed`: ours, no public source has it.
 * The tests compare each answer's keys with these lists, key by key.
 */
export type WireSource = 'live' | 'reference' | 'reconstructed'
type Keys = readonly (readonly [key: string, source: WireSource])[]

const L = 'live' as const
const R = 'reference' as const
const X = 'reconstructed' as const

// biome-ignore format: a table, one object per line group
export const WIRE_OBJECTS = {
  /** `mail.get`, `mail.set`, `mail.add`, `mail.externaluid`, `mail.list` with `details: true`. */
  mail: [
    ['mail', L], ['uid', R], ['parent_uid', L], ['domain', L], ['type', L], ['plan', L],
    ['plansavailable', R], ['first_name', L], ['last_name', L], ['active', L], ['capabilities', L],
    ['possible_capabilities', L], ['creation_date', L], ['memo', L], ['forwards', L], ['aliases', L],
    ['alternate_mail', L], ['inboxsave', L], ['allow_nets', R], ['catchall', X],
    ['require_reset_password', L], ['same_password_allowed', R], ['additional_mail_quota', R],
    ['additional_cloud_quota', R], ['deletion_date', R], ['title', L], ['birthday', R],
    ['position', L], ['department', L], ['company', L], ['street', L], ['postal_code', L],
    ['city', L], ['phone', L], ['fax', L], ['cell_phone', L], ['uid_extern', L], ['language', L],
  ],
  /** `mail.list` without `details` (the Python client sends `details: false`). */
  mailBrief: [
    ['mail', L], ['parent_uid', L], ['domain', L], ['type', L], ['plan', L], ['first_name', X],
    ['last_name', X], ['memo', L], ['forwards', L], ['aliases', L], ['active', X],
    ['capabilities', L], ['possible_capabilities', L], ['creation_date', L],
  ],
  mailListPage: [['totalHits', L], ['totalPages', L], ['results', L]],
  account: [
    ['account', L], ['type', L], ['status', L], ['plan', L], ['company', L], ['ustid', L],
    ['language', L], ['memo', L], ['payment_type', R], ['max_mailinglist', R], ['tarifflimits', R],
    ['address_main', R], ['address_payment', R], ['contact', R], ['bank', R], ['av_contract', R],
  ],
  domain: [
    ['domain', X], ['account', X], ['context_id', X], ['memo', L], ['count_mails', X],
    ['capabilities', X],
  ],
  domainListItem: [['domain', L], ['count_mails', L]],
  /** `account.invoice.list` items. */
  invoice: [
    ['invoice_id', L], ['invoiceNumber', L], ['date', L], ['amount', L], ['paymentType', L],
    ['status', L], ['availableDownloadFileTypes', L], ['token', L],
  ],
  /**
   * `account.invoice.get`: the file as base64 of its zlib-compressed bytes, and the invoice's id in
   * clear (the Python client's live test checks `invoice_id in str(answer)`; the key is the list's).
   */
  invoiceFile: [['invoice_id', L], ['bin', R]],
  group: [['group_id', R], ['name', R], ['display_name', R], ['mail_addresses', X]],
  videochatRoom: [
    ['room_id', R], ['room_name', R], ['room_memo', R], ['has_password', X],
    ['has_admin_password', X],
  ],
  /** `additionalmailaccount.list`: `additional_accounts` lists the addresses (strings), as live. */
  additionalAccounts: [['parent_mail', X], ['additional_accounts', L], ['details', X]],
  /** The items of `details`: each link's settings, as `additionalmailaccount.add` took them. */
  additionalAccount: [
    ['account_mail', R], ['primary_address', R], ['mail_server', R], ['mail_port', R],
    ['mail_secure', R], ['mail_starttls', R], ['transport_server', R], ['transport_port', R],
    ['transport_secure', R], ['transport_starttls', R], ['trash_folder', R], ['sent_folder', R],
    ['drafts_folder', R], ['spam_folder', R],
  ],
  backup: [['id', R], ['time', R], ['date', X]],
  backupRestore: [
    ['request_id', X], ['id', R], ['time', R], ['filter', R], ['status', X], ['requested_at', X],
  ],
  spf: [
    ['domain', X], ['status', X], ['record', X], ['records', X], ['mechanisms', X], ['all', X],
    ['includes_expected', X], ['expected_include', X], ['dns_lookups', X], ['errors', X],
  ],
  appPassword: [['id', L], ['memo', R], ['imap_allowed', R], ['smtp_allowed', R], ['created', X]],
  appPasswordNew: [
    ['id', L], ['memo', R], ['imap_allowed', R], ['smtp_allowed', R], ['created', X], ['password', X],
  ],
  spamprotect: [
    ['greylist', R], ['smtp_plausibility', R], ['rbl', R], ['bypass_banned_checks', R],
    ['tag2level', R], ['killevel', R], ['route_to', R],
  ],
  vacation: [
    ['subject', R], ['body', R], ['start_date', R], ['end_date', R],
    ['additional_mail_addresses', R],
  ],
  mailinglist: [['mailinglist', R], ['account', R], ['adminmail', R]],
  search: [['accounts', L], ['domains', L], ['emails', L]],
  auth: [['session', L], ['level', L]],
} as const satisfies Record<string, Keys>

export type WireObject = keyof typeof WIRE_OBJECTS

/** The keys of an object, in order. */
export const wireKeys = (o: WireObject): string[] => WIRE_OBJECTS[o].map(([k]) => k)

/** Other wire details and where they come from. */
// biome-ignore format: a table
export const WIRE_TABLE = [
  { item: 'capability names and order', value: 'MAIL_BLACKLIST, MAIL_SPAMPROTECTION, MAIL_PASSWORDRESET_SMS, MAIL_BACKUPRECOVER (then MAIL_OTP, BMBO_VIDEOCHAT)', source: 'live (the last two: reference)' },
  { item: 'key order within objects', value: 'as listed in WIRE_OBJECTS', source: 'reconstructed (JSON clients read by name)' },
  { item: 'invoice file', value: '{"invoice_id": "<id>", "bin": base64(zlib(bytes))}; type pdf (default), csv or xml', source: 'reference (the Python and PHP clients decode bin so); live (the id in the answer); reconstructed (its key)' },
  { item: 'invoice CSV header', value: 'date,services,description,quantity,currency,net,vat_percent,total', source: 'live' },
  { item: 'invoice PDF', value: 'PDF-1.7, one A4 page', source: 'live (version); reconstructed (content)' },
  { item: 'invoice status values', value: 'open, paid, storniert', source: 'live (storniert, open); reconstructed (paid)' },
  { item: 'password reset methods', value: '["sms"] when the mailbox has MAIL_PASSWORDRESET_SMS and a cell phone, else []', source: 'reconstructed' },
  { item: 'mail.register lang', value: 'de, en, fr → language de_DE, en_US, fr_FR', source: 'reference (values); reconstructed (mapping)' },
  { item: 'backups offered', value: 'one a day at 02:00 UTC, the last 14 days since the mailbox exists (or the dates its fixture gives); id 1 = newest', source: 'reconstructed' },
] as const
