import { type PluginContext, randomSecret, sha256Hex } from '@mailfront/core'
import { type Level, SESSION, type SessionRow } from './store.ts'

/** A top-up is written only when it moves the expiry by more than this: not one store write per call. */
export const TOP_UP_SLACK_MS = 60_000

/**
 * Sessions in the store, so any instance serves them. Sliding expiry: each use extends a session to
 * `ttl` after that use. The stored expiry is pushed to `now + ttl + slack` only when it has fallen
 * behind `now + ttl`, so a session never ends early and ends at most `slack` late, with one write per
 * session and minute at most.
 */
export function sessionStore(ctx: PluginContext, ttlMs: number) {
  const hash = (token: string) => sha256Hex(token)
  return {
    async create(principal: string, level: Level): Promise<string> {
      // 192 random bits, base64url: header-safe and opaque, like mailbox.org's Auth-IDs.
      const token = randomSecret(24)
      const now = ctx.clock.now()
      await ctx.storage.create({
        model: SESSION,
        data: {
          token_hash: hash(token),
          principal,
          level,
          expires_at: now + ttlMs + TOP_UP_SLACK_MS,
          created_at: now,
        },
      })
      return token
    },

    /** The live session for an Auth-ID, topped up; null when unknown, expired or ended. */
    async use(token: string | undefined): Promise<SessionRow | null> {
      if (!token || token.length > 256) return null
      const s = await ctx.storage.findOne<SessionRow>({
        model: SESSION,
        where: { field: 'token_hash', value: hash(token) },
      })
      const now = ctx.clock.now()
      if (!s || s.expires_at <= now) return null
      if (s.expires_at < now + ttlMs) {
        const expires_at = now + ttlMs + TOP_UP_SLACK_MS
        // Guarded: a session ended meanwhile (deauth elsewhere) is not revived.
        await ctx.storage.updateMany({
          model: SESSION,
          where: {
            and: [
              { field: 'id', value: s.id },
              { field: 'expires_at', op: 'gt', value: now },
            ],
          },
          set: { expires_at },
        })
        s.expires_at = expires_at
      }
      return s
    },

    async end(token: string): Promise<boolean> {
      return ctx.storage.deleteOne({ model: SESSION, where: { field: 'token_hash', value: hash(token) } })
    },

    /** Drop expired rows (housekeeping; an expired row is already refused). */
    async purge(): Promise<number> {
      return ctx.storage.deleteMany({
        model: SESSION,
        where: { field: 'expires_at', op: 'lte', value: ctx.clock.now() },
      })
    },
  }
}

export type Sessions = ReturnType<typeof sessionStore>
