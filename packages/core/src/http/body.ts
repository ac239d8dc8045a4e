import type { IncomingMessage } from 'node:http'
import type { Context } from 'hono'
import { ApiError } from '../errors.ts'
import type { PluginEnv } from '../plugin.ts'

const tooLarge = () => new ApiError('BODY_TOO_LARGE', 413, 'Request body too large')

/**
 * The request body as text, at most `limit` bytes. On Node it reads the socket's stream directly:
 * going through `c.req.text()` makes @hono/node-server build a web Request and a web stream first,
 * which costs more than the rest of a small JSON call.
 */
export async function readBodyText(c: Context<PluginEnv>, limit: number): Promise<string> {
  const length = c.req.header('content-length')
  if (length !== undefined && Number(length) > limit) throw tooLarge()
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
  if (incoming && !incoming.readableDidRead) {
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of incoming as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > limit) throw tooLarge()
      chunks.push(chunk)
    }
    const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')
    if (c.env?.mailfront) c.env.mailfront.body = text
    return text
  }
  const text = await c.req.text()
  if (Buffer.byteLength(text) > limit) throw tooLarge()
  if (c.env?.mailfront) c.env.mailfront.body = text
  return text
}
