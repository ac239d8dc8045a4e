import { z } from '@mailfront/core'
import type { Context } from 'hono'
import { AdminError } from './app.ts'

// The admin API's shared shapes, for its OpenAPI document (the routes' declarations refer to them).

export const ErrorBody = z.object({ error: z.string() }).openapi('Error')

export const json = <S extends z.ZodType>(schema: S, description = 'OK') => ({
  description,
  content: { 'application/json': { schema } },
})
export const error = (description: string) => json(ErrorBody, description)

/** An answer whose fields the document does not spell out (a plugin's fixtures, a fault, the clock). */
export const AnyObject = z.record(z.string(), z.unknown())

export const Released = z.object({ at: z.number().int(), to: z.array(z.string()) }).openapi('Released')

export const MessageSummary = z
  .object({
    id: z.string(),
    messageId: z.string().optional(),
    envelope: z.object({ from: z.string(), to: z.array(z.string()) }),
    subject: z.string().optional(),
    size: z.number().int(),
    plugin: z.string(),
    principal: z.string().optional(),
    via: z.enum(['smtp', 'api', 'dsn', 'local']),
    clientAddress: z.string().optional(),
    receivedAt: z.number().int().describe('epoch ms'),
    recipients: z.array(AnyObject),
    released: Released.optional(),
  })
  .openapi('MessageSummary')

export const Message = MessageSummary.extend({
  headers: z.array(z.array(z.string())),
  from: z.string().optional(),
  to: z.string().optional(),
  cc: z.string().optional(),
  date: z.string().optional(),
  text: z.string().optional(),
  html: z.string().optional(),
  attachments: z.array(
    z.object({
      index: z.number().int(),
      filename: z.string().optional(),
      contentType: z.string(),
      size: z.number().int(),
      contentId: z.string().optional(),
      inline: z.boolean(),
      url: z.string(),
    }),
  ),
}).openapi('Message')

/** `application/json`, with or without parameters (`; charset=utf-8`). */
const isJson = (contentType: string | undefined) =>
  (contentType ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json'

/**
 * The one way an admin route reads a JSON body. Only `Content-Type: application/json` is read (415
 * otherwise): a web page can send a cross-site POST with a text/plain or form body without asking the
 * server first, but not one with a JSON content type, so this keeps pages the developer visits from
 * driving the admin API. `empty`: an empty body (of any type) is allowed and gives undefined.
 * `parse`: the parser (fixtures keep 64-bit integers exact); `invalid`: the 400's message.
 */
export async function jsonBody(
  c: Context,
  opts: { invalid: (err: Error) => string; empty?: boolean; parse?: (text: string) => unknown },
): Promise<unknown> {
  const json = isJson(c.req.header('content-type'))
  if (!json && !opts.empty) throw unsupported()
  const text = await c.req.text()
  if (opts.empty && !text.trim()) return undefined
  if (!json) throw unsupported()
  try {
    return (opts.parse ?? JSON.parse)(text)
  } catch (e) {
    throw new AdminError(400, opts.invalid(e as Error))
  }
}

const unsupported = () => new AdminError(415, 'the body must be sent with Content-Type: application/json')
