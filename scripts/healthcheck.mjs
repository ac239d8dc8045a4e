// The image's HEALTHCHECK: GET /readyz on the server's own port, over HTTPS with the server's
// (self-signed) certificate unless MAILFRONT_TLS=off. Exit 0 when ready, 1 otherwise.
import { request as http } from 'node:http'
import { request as https } from 'node:https'

const env = process.env
const plain = env.MAILFRONT_TLS === 'off'
const req = (plain ? http : https)(
  {
    host: '127.0.0.1',
    port: Number(env.MAILFRONT_PORT || 8080),
    path: '/readyz',
    rejectUnauthorized: false,
    timeout: 4000,
  },
  (res) => {
    res.resume()
    process.exit(res.statusCode === 200 ? 0 : 1)
  },
)
req.on('timeout', () => req.destroy(new Error('timeout')))
req.on('error', (e) => {
  console.error(`readyz: ${e.message}`)
  process.exit(1)
})
req.end()
