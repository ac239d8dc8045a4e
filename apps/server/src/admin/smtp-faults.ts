import { type Clock, memoryRateLimitStore, retryAfterSeconds, z } from '@mailfront/core'
import { SMTP_STAGES, type SmtpFaults } from '@mailfront/mail'
import { type FaultKind, type FaultSet, Firing, LatencyMs, type StoredFault } from './faults.ts'

/** The plugin name SMTP faults go under in POST /_mailfront/faults. */
export const SMTP_FAULT_PLUGIN = 'smtp'

const ENHANCED = /^([245])\.\d{1,3}\.\d{1,3}(?: |$)/

/** An SMTP reply as it goes on the wire: `451 4.7.1 try later` (one line, a 4xx or 5xx code). */
export const SmtpReply = z.string().superRefine((s, ctx) => {
  const fail = (message: string) => ctx.addIssue({ code: 'custom', message })
  if (!/^[\x20-\x7e]*$/.test(s))
    return fail('one line of printable ASCII (no CR, LF, tab or other control characters)')
  const m = /^([0-9]{3}) (.*[^ ].*)$/.exec(s)
  if (!m) return fail('a 3-digit code, then a space and the text, e.g. "451 4.7.1 try later"')
  if (!/^[45][0-5][0-9]$/.test(m[1]!))
    return fail(`the code must be a failure, 4xx or 5xx (400-559), not ${m[1]}`)
  const enhanced = ENHANCED.exec(m[2] ?? '')
  if (enhanced && enhanced[1] !== m[1]![0])
    return fail(`the enhanced status code's class (${enhanced[1]}) must be the reply's (${m[1]![0]})`)
  if (s.length > 510) fail('at most 510 characters (an SMTP reply line is 512 with its CRLF)')
})

/** A fault on the SMTP port: a reply, a delay or a drop at one stage; or a per-login rate limit. */
export const SmtpFaultInput = z
  .object({
    plugin: z.literal(SMTP_FAULT_PLUGIN),
    stage: z
      .enum(SMTP_STAGES)
      .optional()
      .describe(
        'the command hit: connect (the greeting), ehlo (EHLO or HELO), auth, mail, rcpt, data (its end)',
      ),
    reply: SmtpReply.optional().describe(
      'the reply sent instead, as it goes on the wire: a 4xx or 5xx code, a space, the text (an enhanced status code is part of it), e.g. "451 4.7.1 try later"',
    ),
    latencyMs: LatencyMs,
    /** Close the connection with no reply. */
    drop: z.boolean().optional().describe('close the connection with no reply'),
    /** At most `messages` per login within `perSeconds`: counted at MAIL FROM, given back if not accepted. */
    rateLimit: z
      .object({
        messages: z.number().int().min(1).max(1_000_000),
        perSeconds: z.number().int().min(1).max(86_400),
      })
      .strict()
      .optional()
      .describe(
        'alone: at most `messages` messages per AUTH login within a fixed window of `perSeconds` (of the server clock, opened by the first message counted), counted at MAIL FROM and given back when the message is not accepted; past it MAIL FROM answers 421 4.7.0 and the connection closes',
      ),
    ...Firing,
  })
  .strict()
  .superRefine((f, ctx) => {
    const fail = (message: string, path: string[] = []) => ctx.addIssue({ code: 'custom', message, path })
    if (f.rateLimit) {
      if (f.stage || f.reply || f.drop || f.latencyMs !== undefined)
        fail(
          'give it alone: the limit answers 421 4.7.0 at MAIL FROM (stage, reply, drop and latencyMs are for stage faults)',
          ['rateLimit'],
        )
      return
    }
    if (!f.stage) return fail(`give a stage (${SMTP_STAGES.join(', ')}) or a rateLimit`, ['stage'])
    if (!f.reply && !f.drop && f.latencyMs === undefined) fail('give reply, drop or latencyMs')
    if (f.reply && f.drop) fail('give reply or drop, not both')
  })
  .openapi('SmtpFault')

export type SmtpFault = z.infer<typeof SmtpFaultInput> & StoredFault

const isSmtp = (f: StoredFault): f is SmtpFault => f.plugin === SMTP_FAULT_PLUGIN

/** `451 4.7.1 try later` as the port sends it: the code, and the rest as the text. */
export function parseReply(reply: string): { code: number; text: string } {
  return { code: Number(reply.slice(0, 3)), text: reply.slice(4) }
}

/**
 * The SMTP port's view of the fault set: the same firing rule (probability, count) as the HTTP faults.
 * A rate limit counts each login's messages at MAIL FROM (given back when the message is then not
 * accepted), so parallel sessions of one login cannot pass it together: at most `messages` per window.
 * A window is fixed: it opens at the first message counted after the previous one ended, and lasts
 * `perSeconds` of the runtime clock, so moving the clock (POST /_mailfront/clock) ends it. Its counts
 * live in this process, as the faults do.
 */
export function smtpFaultHooks(faults: FaultSet, clock: Clock): SmtpFaults {
  const windows = memoryRateLimitStore({ clock })
  // A fault's id is never reused, so a cleared limit's counts never apply to a new one.
  const key = (f: SmtpFault, login: string | undefined) => `${f.id}\n${login ?? ''}`
  const limits = () => faults.current().filter((f): f is SmtpFault => isSmtp(f) && !!f.rateLimit)

  return {
    async at(stage) {
      if (!faults.size) return undefined
      const f = faults.take((x): x is SmtpFault => isSmtp(x) && x.stage === stage)
      if (!f) return undefined
      return {
        ...(f.latencyMs ? { latencyMs: f.latencyMs } : {}),
        ...(f.drop ? { drop: true } : {}),
        ...(f.reply ? { reply: parseReply(f.reply) } : {}),
      }
    },
    async reserve(login) {
      const taken: [string, number][] = []
      const giveBack = async () => {
        for (const [k, resetAt] of taken.splice(0)) windows.giveBack(k, resetAt)
      }
      const full = new Map<SmtpFault, number>()
      for (const f of limits()) {
        const k = key(f, login)
        const r = await windows.consume(k, {
          windowMs: f.rateLimit!.perSeconds * 1000,
          max: f.rateLimit!.messages,
        })
        if (r.allowed) taken.push([k, r.resetAt])
        else full.set(f, r.resetAt)
      }
      const hit = full.size ? faults.take((f): f is SmtpFault => full.has(f as SmtpFault)) : undefined
      if (!hit) return { giveBack }
      await giveBack()
      const { messages, perSeconds } = hit.rateLimit!
      const wait = retryAfterSeconds(full.get(hit)!, clock.now())
      return {
        refusal: {
          reply: {
            code: 421,
            text: `4.7.0 Too many messages: at most ${messages} per ${perSeconds} seconds for this login, try again in ${wait} seconds`,
          },
        },
      }
    },
  }
}

/** SMTP faults in POST /_mailfront/faults; `off` when the server has no SMTP port. */
export function smtpFaultKind(off?: string): FaultKind {
  return {
    plugin: SMTP_FAULT_PLUGIN,
    label: 'the SMTP port',
    input: SmtpFaultInput,
    info: { stages: SMTP_STAGES },
    ...(off ? { off } : {}),
  }
}
