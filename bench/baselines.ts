// The two ceilings of the bench, started as their own processes: raw node:http and bare Hono.
import { createServer } from 'node:http'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'

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
} else {
  console.error('usage: baselines.ts raw|hono')
  process.exit(2)
}
