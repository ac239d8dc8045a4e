// The two ceilings of the bench, started as their own processes: raw node:http and bare Hono.
import { createServer } from 'node:http'
import { serve } from '@hono/node-server'
import { type Context, Hono, type Next } from 'hono'

const BODY = JSON.stringify({ msg: 'pong', ok: true })
const which = process.argv[2]

if (which === 'raw') {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(BODY) })
    res.end(BODY)
  })
  server.listen(0, '127.0.0.1', () => {
    const a = server.address()
    console.log(`listening ${typeof a === 'object' && a ? a.port : 0}`)
  })
} else if (which === 'hono') {
  const app = new Hono()
  app.get('/', (c) => c.body(BODY, 200, { 'Content-Type': 'application/json' }))
  serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log(`listening ${info.port}`))
} else if (which === 'hono-chain') {
  // Bare Hono with mailfront's chain shape and none of its work (what `npm run bench:chain` loads):
  // four root middleware that wait for the answer, a sub-app with its own error handler (route()
  // wraps each of its handlers in a compose of its own), a scope middleware in it, an async handler.
  const pass = (_c: Context, next: Next) => next().then(() => undefined)
  const sub = new Hono()
  sub.onError((e, c) => c.text(String(e), 500))
  sub.use('/x/*', (_c, next) => next())
  sub.get('/x/:id', async (c) => c.body(BODY, 200, { 'Content-Type': 'application/json' }))
  const app = new Hono()
  for (let i = 0; i < 4; i++) app.use('*', pass)
  app.route('/', sub)
  serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log(`listening ${info.port}`))
} else {
  console.error('usage: baselines.ts raw|hono|hono-chain')
  process.exit(2)
}
