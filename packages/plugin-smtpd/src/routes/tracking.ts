import { defineRoutes, type OpenAPIHono, type PluginEnv, z } from '@mailfront/core'
import { errors } from '../errors.ts'
import { recordEvent } from '../sending/events.ts'
import { SEND, type SendRow } from '../sending/models.ts'
import type { Sending } from '../sending/service.ts'
import { PIXEL_GIF } from '../sending/tracking.ts'

const tokenParam = z.object({ token: z.string().openapi({ param: { name: 'token', in: 'path' } }) })

/** The open pixel and the click redirect that tracked sends point to; each records its event. */
export function registerTracking(app: OpenAPIHono<PluginEnv>, sending: Sending) {
  const { ctx, tokens } = sending
  // Public: no auth; the token in the path is the credential.
  const route = defineRoutes(app, { answers: 'raw' })
  const sendOf = async (id: string | null) => {
    const s = id
      ? await ctx.storage.findOne<SendRow>({ model: SEND, where: { field: 'id', value: id } })
      : null
    if (!s) throw errors.BAD_ID()
    return s
  }
  route(
    {
      method: 'get',
      path: '/t/o/{token}',
      operationId: 'smtpdTrackOpen',
      summary: 'The open-tracking pixel (records an `open` event)',
      request: { params: tokenParam },
      responses: { 200: { description: 'A 1×1 GIF', content: { 'image/gif': { schema: z.string() } } } },
    },
    async (c, { params }) => {
      const send = await sendOf(tokens.readOpen(params.token))
      await recordEvent(ctx, send, 'open', { userAgent: c.req.header('user-agent') ?? '' })
      return c.body(new Uint8Array(PIXEL_GIF), 200, {
        'Content-Type': 'image/gif',
        'Cache-Control': 'no-store, max-age=0',
      })
    },
  )
  route(
    {
      method: 'get',
      path: '/t/c/{token}',
      operationId: 'smtpdTrackClick',
      summary: 'A tracked link: records a `click` event and redirects to the original URL',
      request: { params: tokenParam },
      responses: { 302: { description: 'To the original link' } },
    },
    async (c, { params }) => {
      const hit = tokens.readClick(params.token)
      const send = await sendOf(hit?.sendId ?? null)
      await recordEvent(ctx, send, 'click', { detail: hit!.url, userAgent: c.req.header('user-agent') ?? '' })
      c.header('Cache-Control', 'no-store')
      return c.redirect(hit!.url, 302)
    },
  )
}
