import type { DeliveryEvent, MailService, MessageSummary, SubmitInput } from '@mailfront/core'
import { MailRejection } from '@mailfront/core'

/**
 * FOR UNIT TESTS OF THE PLUGIN'S OWN EVENT MAPPING ONLY: a minimal in-memory MailService that stores
 * what is submitted and emits the events a test asks for. It delivers nothing and is never the
 * proof that sending works end to end (that is test/e2e-*.test.ts, through the real pipeline).
 */
export function inMemoryMailServiceForUnitTests(o: { now: () => number; rejectOver?: number }) {
  const messages = new Map<string, { summary: MessageSummary; raw: Uint8Array }>()
  const listeners = new Set<(e: DeliveryEvent) => void | Promise<void>>()
  let n = 0
  const emit = (e: Omit<DeliveryEvent, 'at' | 'plugin'> & { plugin?: string }) => {
    const m = messages.get(e.messageId)
    const principal = m?.summary.principal
    for (const l of listeners)
      void l({ plugin: m?.summary.plugin ?? 'smtpd', ...(principal ? { principal } : {}), at: o.now(), ...e })
  }
  const service: MailService = {
    async submit(input: SubmitInput) {
      if (o.rejectOver !== undefined && input.raw.length > o.rejectOver)
        throw new MailRejection(552, 'Message size exceeds fixed limit')
      const id = `m${++n}`
      const header = /^Message-ID: <([^>]+)>/im.exec(Buffer.from(input.raw).toString())?.[1]
      const summary: MessageSummary = {
        id,
        ...(header ? { messageId: header } : {}),
        envelope: input.envelope,
        size: input.raw.length,
        plugin: input.plugin,
        ...(input.principal ? { principal: input.principal } : {}),
        via: input.via,
        receivedAt: o.now(),
        recipients: input.envelope.to.map((recipient, i) => ({
          entryId: n * 100 + i,
          recipient,
          state: 'queued',
          attempts: 0,
          updatedAt: o.now(),
        })),
      }
      messages.set(id, { summary, raw: input.raw })
      // As a real pipeline may: the event arrives before submit resolves.
      emit({ type: 'submitted', messageId: id })
      return summary
    },
    async get(id) {
      return messages.get(id)?.summary ?? null
    },
    async raw(id) {
      return messages.get(id)?.raw ?? null
    },
    async list() {
      return [...messages.values()].map((m) => m.summary).reverse()
    },
    async entries() {
      return []
    },
    async discard() {
      return false
    },
    async bounce() {
      return false
    },
    onEvent(l) {
      listeners.add(l)
      return () => listeners.delete(l)
    },
  }
  return {
    service,
    messages,
    emit,
    last: () => [...messages.values()].at(-1)!,
  }
}
