import { type LocalDelivery, type Logger, MailRejection } from '@mailfront/core'
import type { EntryRow } from './models.ts'
import type { RelayResult } from './relay.ts'
import type { MailPipeline } from './service.ts'
import { SIMULATOR, type Simulator } from './simulator.ts'

/** One delivery attempt of an entry (relay or local), as the worker makes it. */
export type Send = (entry: EntryRow, bytes: Buffer) => Promise<RelayResult>

/**
 * The plugins' hosted recipients (`MailfrontPlugin.localDelivery`), in mount order: the first plugin
 * that hosts an address decides for it. Entries of hosted recipients carry the plugin's id
 * (`hosted_by`) and are delivered locally by the worker, whatever the delivery mode.
 */
export class LocalRecipients {
  private readonly sources: { plugin: string; delivery: LocalDelivery }[] = []

  constructor(
    private readonly log: Logger,
    /** Simulator addresses come first: their host is `SIMULATOR`, whatever a plugin hosts. */
    private readonly simulator?: Simulator,
  ) {}

  add(plugin: string, delivery: LocalDelivery) {
    if (this.sources.some((s) => s.plugin === plugin))
      throw new Error(`local delivery of ${plugin} added twice`)
    this.sources.push({ plugin, delivery })
  }

  get(plugin: string): LocalDelivery | undefined {
    return this.sources.find((s) => s.plugin === plugin)?.delivery
  }

  /** The plugin hosting `rcpt`, or null; throws the plugin's MailRejection when it refuses. */
  async check(from: string, rcpt: string): Promise<string | null> {
    if (this.simulator?.check(rcpt)) return SIMULATOR
    for (const s of this.sources) if (await s.delivery.checkRecipient(from, rcpt)) return s.plugin
    return null
  }

  /**
   * Sort a submission's recipients: who hosts each (index → plugin) and which are refused. A
   * refusal that is not a MailRejection (the store is down) is thrown: the submission fails whole.
   */
  async sort(from: string, to: string[]) {
    const hosted = new Map<number, string>()
    const refused = new Map<number, MailRejection>()
    if (!this.sources.length && !this.simulator?.domain) return { hosted, refused }
    for (const [i, rcpt] of to.entries()) {
      try {
        const plugin = await this.check(from, rcpt)
        if (plugin) hosted.set(i, plugin)
      } catch (e) {
        if (!(e instanceof MailRejection)) throw e
        this.log.info({ from, rcpt, code: e.code, reason: e.message }, 'mail recipient refused')
        refused.set(i, e)
      }
    }
    return { hosted, refused }
  }

  /** For a DSN: the plugin hosting its recipient, a refusal counting as not hosted. */
  async hostOf(rcpt: string): Promise<string | null> {
    // Even a refused simulator address keeps its host: a DSN to it is never relayed.
    if (this.simulator?.has(rcpt)) return SIMULATOR
    return this.check('', rcpt).catch((e) => {
      if (e instanceof MailRejection) return null
      throw e
    })
  }
}

/**
 * Local delivery to a recipient a plugin hosts: its `delivered` hook runs (follow-ups such as
 * notices and forwarded copies), then the worker marks the entry delivered. A failing hook is a
 * temporary failure, retried like a relay's 4xx; its MailRejection keeps its code (5xx: bounced).
 */
export function localSender(p: MailPipeline): Send {
  return async (e, bytes) => {
    const delivery = p.local.get(e.hosted_by!)
    if (!delivery) return { kind: 'delivered', response: `delivered locally (${e.hosted_by} not mounted)` }
    if (!delivery.delivered) return { kind: 'delivered', response: 'delivered locally' }
    try {
      const message = await p.get(e.message)
      if (!message) return { kind: 'permanent', response: 'message missing from the store' }
      const note = await delivery.delivered({ message, recipient: e.rcpt, raw: new Uint8Array(bytes) })
      return { kind: 'delivered', response: note ? `delivered locally: ${note}` : 'delivered locally' }
    } catch (err) {
      if (err instanceof MailRejection)
        return {
          kind: err.code >= 500 ? 'permanent' : 'temporary',
          response: `${err.code} ${err.message}`,
          code: err.code,
        }
      p.log.error({ err, mail: e.message, entry: e.id, plugin: e.hosted_by }, 'local delivery failed')
      return { kind: 'temporary', response: `local delivery failed: ${(err as Error).message}` }
    }
  }
}
