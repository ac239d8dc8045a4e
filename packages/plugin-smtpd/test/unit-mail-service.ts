import type { DeliveryEvent, MailService, MessageSummary, SubmitInput } from '@mailfront/core'
import { MailRejection } from '@mailfront/core'

/**
 * FOR UNIT TESTS OF THE PLUGIN'S OWN EVENT MAPPING ONLY: a minimal in-memory MailService that stores
 * what is submitted and emits the events a test asks for. It delivers nothing and is never the
 * proof that sending works end to end (that is test/e2e-*.test.ts, through the real pipeline).
 */
export function inMemoryMailServiceForUnitTests(o: {
  now: () => number
  rejectOver?: number
  /**
   * Hold every submission until its signal aborts, then refuse it, as the pipeline does for slow@
   * (also switched by `hold`).
   */
  holdUntilAborted?: boolean
}) {
  const messages = new Map<string, { summary: MessageSummary; raw: Uint8Array }>()
  const listeners = new Set<(e: DeliveryEvent) => void | Promise<void>>()
  let n = 0
  const held: SubmitInput[] = []
  const control = { hold: !!o.holdUntilAborted }
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
      if (control.hold) {
        const signal = input.signal
        held.push(input)
        // Never settles without a signal: a test that holds must pass one.
        await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve()))
        throw new MailRejection(421, '4.4.2 Client went away before acceptance')
      }
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
    held,
    set hold(on: boolean) {
      control.hold = on
    },
    emit,
    last: () => [...messages.values()].at(-1)!,
  }
}
