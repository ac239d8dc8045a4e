/**
 * The mail pipeline as a plugin sees it. The core only declares it; the server composes an
 * implementation (a package of its own) and hands it to every plugin through its context.
 */

/** Where a message goes. `from` is '' for the null sender (bounces). */
export interface Envelope {
  from: string
  to: string[]
}

export interface SubmitInput {
  envelope: Envelope
  /** The complete RFC 5322 message, as it will be delivered. */
  raw: Uint8Array
  /** Id of the submitting plugin ('smtp' handled by a plugin's SmtpAuth keeps that plugin's id). */
  plugin: string
  /** The plugin's own name for who submitted (an account id, a login, a key id…). */
  principal?: string
  /**
   * How it arrived: `smtp` (the submission port), `api`, `dsn` (a bounce the pipeline made), or
   * `local` (made by a plugin's local delivery: a vacation notice, a forwarded copy).
   */
  via: 'smtp' | 'api' | 'dsn' | 'local'
  /** Client address (SMTP peer or HTTP client), for logs and the captured-mail view. */
  clientAddress?: string
  /**
   * Aborted when whoever submits is gone (the SMTP connection or listener closed; an HTTP route
   * passes `c.req.raw.signal`, aborted when its client goes): a submission still waiting to be
   * accepted (`slow@`) is abandoned, refused with a MailRejection (421), and never stored, so a
   * client's retry cannot make a duplicate.
   */
  signal?: AbortSignal
}

/** One recipient's delivery, one queue entry each. */
export type DeliveryState = 'queued' | 'delivering' | 'deferred' | 'delivered' | 'bounced' | 'discarded'

export interface RecipientStatus {
  /** The queue entry's id (serial, unique across messages). */
  entryId: number
  recipient: string
  state: DeliveryState
  attempts: number
  /** Epoch ms of the next delivery attempt while queued or deferred. */
  nextAttemptAt?: number
  /** The last SMTP reply or error text (never a credential). */
  lastResponse?: string
  updatedAt: number
}

export interface MessageSummary {
  id: string
  /** The Message-ID header (without angle brackets) when present. */
  messageId?: string
  envelope: Envelope
  subject?: string
  size: number
  plugin: string
  principal?: string
  via: 'smtp' | 'api' | 'dsn' | 'local'
  clientAddress?: string
  /** Epoch ms. */
  receivedAt: number
  recipients: RecipientStatus[]
  /** When and to whom an admin released a captured message (mailfront's admin API). */
  released?: { at: number; to: string[] }
}

export interface MessageQuery {
  plugin?: string
  principal?: string
  /** Entries in any of these states. */
  states?: DeliveryState[]
  from?: string
  to?: string
  subject?: string
  /** Full-text search: every whitespace-separated term (or "quoted phrase") occurs, case-insensitively. */
  q?: string
  limit?: number
  offset?: number
}

/** One queue entry with its message's envelope fields: what a queue view (tmail's) lists. */
export interface QueueEntry extends RecipientStatus {
  /** The message's id (MessageSummary.id). */
  message: string
  /** The Message-ID header, when present. */
  messageId?: string
  from: string
  plugin: string
  principal?: string
  /** Epoch ms the message was accepted. */
  createdAt: number
}

export interface EntryQuery {
  ids?: number[]
  plugin?: string
  states?: DeliveryState[]
  /** Keyset paging: entries with an id above this, in id order. */
  afterId?: number
  limit?: number
}

export interface DeliveryEvent {
  type: 'submitted' | 'delivered' | 'deferred' | 'bounced' | 'discarded'
  messageId: string
  entryId?: number
  recipient?: string
  plugin: string
  principal?: string
  /** The SMTP reply or reason. */
  response?: string
  at: number
}

export interface MailService {
  /** Durable once it resolves: the message and one queue entry per recipient are stored. */
  submit(input: SubmitInput): Promise<MessageSummary>
  get(id: string): Promise<MessageSummary | null>
  raw(id: string): Promise<Uint8Array | null>
  /** Newest first. */
  list(query?: MessageQuery): Promise<MessageSummary[]>
  /** Queue entries in id order (keyset paging with `afterId`): flat memory over any queue size. */
  entries(query?: EntryQuery): Promise<QueueEntry[]>
  /** Act on one queue entry; false when it is no longer queued or deferred. */
  discard(entryId: number): Promise<boolean>
  /** Bounce: the entry ends, and a DSN goes to the envelope sender (none for a null sender). */
  bounce(entryId: number, reason?: string): Promise<boolean>
  /** Called after each change of an entry's state, on the instance that made it; returns unsubscribe. */
  onEvent(listener: (e: DeliveryEvent) => void | Promise<void>): () => void
}

/** A rejected submission: `code` is the SMTP reply code (5xx permanent, 4xx temporary). */
export class MailRejection extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message)
    this.name = 'MailRejection'
  }
}

/**
 * A plugin's part in the SMTP submission port: which logins it knows, and what it allows them.
 * Throw MailRejection to refuse with a reason; return null from `authenticate` for an unknown
 * login or a wrong password (the port answers the same for both).
 */
export interface SmtpAuth {
  /**
   * Whether `login` names one of the plugin's SMTP logins (an account, user or mailbox that logs in
   * on the port, enabled or not), matched as `authenticate` matches it. The port's one namespace
   * (SmtpLogins) asks every plugin: a login two plugins hold logs in as neither.
   */
  hasLogin(login: string): Promise<boolean>
  authenticate(login: string, password: string, clientAddress: string): Promise<{ principal: string } | null>
  /**
   * Before a message is accepted: quotas, allowed senders, size. Called at MAIL FROM (no recipients
   * yet; `size` is the client's declared SIZE or 0) and again after DATA with the real size and the
   * addresses of the message's From header.
   */
  checkSubmit?(
    principal: string,
    input: { envelope: Envelope; size: number; headerFrom?: string[] },
  ): Promise<void>
  /** After the message is durably queued: usage accounting. */
  accepted?(principal: string, message: MessageSummary): Promise<void>
}

/** One message delivered to an address a plugin hosts, as `LocalDelivery.delivered` sees it. */
export interface LocalDeliveryInput {
  message: MessageSummary
  /** The hosted recipient this delivery is for (one call per hosted recipient). */
  recipient: string
  /** The message's bytes as stored. */
  raw: Uint8Array
}

/**
 * A plugin's part in delivery to the addresses it hosts (its mailboxes). The pipeline asks each
 * plugin offering one, in mount order; the first that hosts a recipient decides for it.
 *
 * - `checkRecipient` runs for every recipient of every submission: on the SMTP port at RCPT TO
 *   (and again when the message is submitted), for API submissions at submit. Return false for an
 *   address the plugin does not host. Throw a MailRejection to refuse the recipient (e.g.
 *   `550 5.7.1 sender blocked by recipient`): SMTP answers it at RCPT; at submit the recipient's
 *   entry ends `bounced` with a DSN to the sender, and a submission left with no recipient is
 *   refused with that rejection.
 * - Entries of hosted recipients are delivered locally, in capture and relay mode alike: they never
 *   leave the machine. `delivered` runs before the entry is marked delivered; it may submit
 *   follow-up messages through `ctx.mail.submit` (auto-replies, forwarded copies). If it throws, the
 *   entry is deferred and retried like a temporary failure, so a follow-up is never lost; after a
 *   crash it may run twice for one delivery. Its string result becomes the entry's `lastResponse`.
 */
export interface LocalDelivery {
  checkRecipient(envelopeFrom: string, rcpt: string): Promise<boolean>
  delivered?(input: LocalDeliveryInput): Promise<string | undefined>
}
