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
    const text = await readIncoming(incoming, limit)
    // Kept for the admin request log (the body stream can be read once).
    const info = c.get('mailfront')
    if (info) info.body = text
    return text
  }
  const text = await c.req.text()
  if (Buffer.byteLength(text) > limit) throw tooLarge()
  const info = c.get('mailfront')
  if (info) info.body = text
  return text
}

/**
 * Read with listeners, not `for await`: leaving a `for await` early destroys the stream, and with it
 * the socket, so over TLS the client got a reset instead of the 413. Here the rest of an oversized
 * body is discarded as it arrives (the stream keeps flowing with no listener) while the error answer
 * goes out; the request timeout bounds how long a client may keep sending.
 */
function readIncoming(incoming: IncomingMessage, limit: number): Promise<string> {
  // Already read to its end elsewhere (a body-less request whose end was consumed): nothing comes.
  if (incoming.readableEnded) return Promise.resolve('')
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const done = () => {
      incoming.off('data', onData)
      incoming.off('end', onEnd)
      incoming.off('error', onError)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size <= limit) return void chunks.push(chunk)
      done()
      reject(tooLarge())
    }
    const onEnd = () => {
      done()
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'))
    }
    const onError = (e: Error) => {
      done()
      reject(e)
    }
    incoming.on('data', onData)
    incoming.on('end', onEnd)
    incoming.on('error', onError)
  })
}
