import { type ModelSchema, type StorageAdapter, upsertOne } from '@mailfront/core'
import { webhookQueueModels } from './queue.ts'

/** A receiver's shared secret: long enough not to be guessed, short enough to be a header-sized key. */
export const WEBHOOK_SECRET_MIN = 16
export const WEBHOOK_SECRET_MAX = 512
const URL_MAX = 2048

/** Why `url` cannot be a webhook URL (null when it can): http(s), a host, no login in it. */
export function webhookUrlProblem(url: string): string | null {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return 'must be an absolute http:// or https:// URL'
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be an http:// or https:// URL'
  if (!u.hostname) return 'must name a host'
  // fetch refuses them, and a credential in a URL ends up in logs: put it in the secret or the path.
  if (u.username || u.password) return 'must not carry a user or password'
  if (url.length > URL_MAX) return `must be at most ${URL_MAX} characters`
  return null
}

/** Why `secret` cannot sign deliveries (null when it can). */
export function webhookSecretProblem(secret: string): string | null {
  if (secret.length < WEBHOOK_SECRET_MIN) return `must be at least ${WEBHOOK_SECRET_MIN} characters`
  if (secret.length > WEBHOOK_SECRET_MAX) return `must be at most ${WEBHOOK_SECRET_MAX} characters`
  return null
}

/** Where deliveries go and the key that signs them. */
export interface WebhookTarget {
  url: string
  secret: string
  /** `env`: MAILFRONT_WEBHOOK_URL/_SECRET; `admin`: PUT /_mailfront/webhook (kept in the store). */
  source: 'env' | 'admin'
}

const MODEL = 'core_webhook'
const KEY = 'default'
export const webhookModels: ModelSchema = {
  [MODEL]: {
    // Read at each event and attempt: the host's row cache (withRowCache) keeps it up to 1 s. A write
    // here is seen at once (a read it overtook is not kept); another instance's within that second.
    cacheMs: 1_000,
    fields: {
      key: { type: 'string', unique: true },
      url: { type: 'string' },
      secret: { type: 'string' },
      updated_at: { type: 'timestamp' },
    },
  },
  // The deliveries waiting (see queue.ts).
  ...webhookQueueModels,
}

/**
 * The webhook in force: the one set through the admin API (in the store, so every instance on it
 * sends to the same place), else the environment's, else none.
 */
export class WebhookSettings {
  constructor(
    private readonly storage: StorageAdapter,
    private readonly env?: { url: string; secret: string },
  ) {}

  async current(): Promise<WebhookTarget | null> {
    const row = await this.storage.findOne<{ id: string; url: string; secret: string }>({
      model: MODEL,
      where: { field: 'key', value: KEY },
    })
    if (row) return { url: row.url, secret: row.secret, source: 'admin' }
    return this.env ? { ...this.env, source: 'env' } : null
  }

  async set(url: string, secret: string, at: number): Promise<void> {
    await upsertOne(this.storage, {
      model: MODEL,
      key: { field: 'key', value: KEY },
      set: { url, secret, updated_at: at },
    })
  }

  /** Drop the admin API's webhook (the environment's, if any, is in force again). */
  remove(): Promise<boolean> {
    return this.storage.deleteOne({ model: MODEL, where: { field: 'key', value: KEY } })
  }

  /** The environment's webhook, when set (never its secret). */
  envUrl(): string | undefined {
    return this.env?.url
  }
}
