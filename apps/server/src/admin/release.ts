import { createRelay, type MailPipeline, MESSAGE, type MessageRow } from '@mailfront/mail'

export interface ReleaseConfig {
  /** The relay released mail goes to (MAILFRONT_MAIL_RELAY_URL). */
  relayUrl?: string
  /** MAILFRONT_MAIL_RELEASE_ALLOW: domains (`example.com`) and addresses (`a@example.com`); empty: off. */
  allow: string[]
}

const ADDRESS = /^[^\s<>@]+@[^\s<>@]+$/

/** An address a release may go to: listed itself, or its domain is. */
export function releaseAllowed(allow: string[], address: string): boolean {
  const a = address.toLowerCase()
  const domain = a.slice(a.lastIndexOf('@') + 1)
  return allow.some((x) => (x.includes('@') ? x === a : x === domain))
}

export type ReleaseAnswer = {
  status: 200 | 400 | 403 | 404 | 409 | 502
  body: Record<string, unknown>
  /** On a 200: when, to whom it went, and the recipients the relay refused (with its answer). */
  released?: { at: number; to: string[]; failed: { recipient: string; response: string }[] }
}

/**
 * Send a captured message through the relay, once: to `to` or else its envelope recipients, each one
 * allowed by the configuration. Claimed in the store before sending, so two calls never both send;
 * given back when no recipient took it (the release can then be tried again).
 */
export async function releaseMessage(
  mail: MailPipeline,
  cfg: ReleaseConfig,
  id: string,
  to: string[] | undefined,
): Promise<ReleaseAnswer> {
  if (!cfg.allow.length || !cfg.relayUrl)
    return {
      status: 403,
      body: { error: 'release is off: set MAILFRONT_MAIL_RELEASE_ALLOW (and a relay URL)' },
    }
  const db = mail.storage
  const m = await db.findOne<MessageRow>({ model: MESSAGE, where: { field: 'id', value: id } })
  const raw = m && (await mail.raw(id))
  if (!m || !raw) return { status: 404, body: { error: `no message ${id}` } }
  // Once per address (case-insensitively, keeping the first spelling): never two copies to one inbox.
  const seen = new Set<string>()
  const rcpts = (to ?? m.rcpt_to).filter((r) => {
    const k = r.toLowerCase()
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
  const bad = rcpts.filter((r) => !ADDRESS.test(r))
  if (!rcpts.length || bad.length)
    return {
      status: 400,
      body: { error: `to must be a list of addresses${bad.length ? ` (got ${bad.join(', ')})` : ''}` },
    }
  const refused = rcpts.filter((r) => !releaseAllowed(cfg.allow, r))
  if (refused.length)
    return {
      status: 403,
      body: { error: `not allowed by MAILFRONT_MAIL_RELEASE_ALLOW: ${refused.join(', ')}`, refused },
    }
  const at = mail.clock.now()
  const claimed = await db.updateOne<MessageRow>({
    model: MESSAGE,
    where: {
      and: [
        { field: 'id', value: id },
        { field: 'release_state', op: 'ne', value: 'released' },
      ],
    },
    set: { release_state: 'released', released_at: at, released_to: rcpts },
  })
  if (!claimed) return { status: 409, body: { error: `message ${id} was already released` } }
  const relay = createRelay(cfg.relayUrl)
  const results: { recipient: string; kind: string; response: string }[] = []
  try {
    for (const r of rcpts) {
      const res = await relay.send({ from: m.mail_from, to: r }, Buffer.from(raw))
      results.push({ recipient: r, kind: res.kind, response: res.response })
    }
  } finally {
    await relay.close()
  }
  const sent = results.filter((r) => r.kind === 'delivered')
  if (!sent.length) {
    await db.updateOne({
      model: MESSAGE,
      where: { field: 'id', value: id },
      set: { release_state: 'failed', released_at: null, released_to: null },
    })
    mail.log.warn({ mail: id, results }, 'mail release failed')
    return { status: 502, body: { error: 'the relay took no recipient', results } }
  }
  // Released to those the relay took; the others are named with the relay's answer for each.
  const delivered = sent.map((r) => r.recipient)
  const failed = results.filter((r) => r.kind !== 'delivered')
  if (failed.length)
    await db.updateOne({ model: MESSAGE, where: { field: 'id', value: id }, set: { released_to: delivered } })
  mail.log.info({ mail: id, to: delivered, failed: failed.length }, 'mail released')
  return {
    status: 200,
    body: { released: { at, to: delivered }, failed, results },
    released: {
      at,
      to: delivered,
      failed: failed.map((f) => ({ recipient: f.recipient, response: f.response })),
    },
  }
}
