import { z } from '@mailfront/core'

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
