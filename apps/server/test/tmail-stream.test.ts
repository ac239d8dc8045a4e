import { request } from 'node:https'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
// The bench fills its million-row queue and reads the server's memory the same way.
import { rssKb } from '../../../bench/procs.ts'
import { fillQueue } from '../../../bench/queue.ts'
import { type ServerProcess, startServer } from './server-process.ts'

const ROWS = 1_000_000
const ENV = {
  MAILFRONT_DEMO: 'off',
  MAILFRONT_TMAIL_ADMIN_LOGIN: 'admin',
  MAILFRONT_TMAIL_ADMIN_PASSWORD: 'admin',
  MAILFRONT_TMAIL_QUEUE_INTERVAL_S: '0',
}

/** Read a streamed JSON array, counting its objects without keeping it. */
function streamQueue(url: string, onChunk: () => void, path = '/queue') {
  return new Promise<{ status: number; rows: number; bytes: number; head: string; tail: string }>(
    (resolve, reject) => {
      const auth = `Basic ${Buffer.from('admin:admin').toString('base64')}`
      request(`${url}${path}`, { rejectUnauthorized: false, headers: { Authorization: auth } }, (res) => {
        let rows = 0
        let bytes = 0
        let head = ''
        let carry = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => {
          bytes += d.length
          if (head.length < 200) head += d.slice(0, 200)
          const s = carry + d
          rows += s.split('{"Id":').length - 1
          carry = s.slice(-6)
          onChunk()
        })
        res.on('end', () => resolve({ status: res.statusCode!, rows, bytes, head, tail: carry }))
        res.on('error', reject)
      })
        .on('error', reject)
        .end()
    },
  )
}

describe.skipIf(process.platform !== 'linux')(
  'tmail GET /queue with a million rows (reads /proc for RSS)',
  () => {
    let srv: (ServerProcess & { dataDir: string }) | undefined
    afterAll(() => {
      srv?.child.kill('SIGKILL')
    })

    it('streams every row while the server memory stays flat', async () => {
      srv = await startServer(ENV)
      srv.child.kill('SIGTERM')
      await srv.exited
      // Fill the queue behind the server's back: a million rows in one transaction.
      fillQueue(join(srv.dataDir, 'mailfront.db'), ROWS)

      srv = await startServer(ENV, srv.dataDir)
      const pid = srv.child.pid!
      // Warm up (JIT, first batches), then take the baseline.
      expect((await streamQueue(srv.url, () => {}, '/queue?limit=20000')).rows).toBe(20_000)
      await new Promise((r) => setTimeout(r, 300))
      const base = rssKb(pid)!
      let peak = base
      let n = 0
      const t0 = performance.now()
      const res = await streamQueue(srv.url, () => {
        if (++n % 50 === 0) peak = Math.max(peak, rssKb(pid)!)
      })
      const seconds = (performance.now() - t0) / 1000
      peak = Math.max(peak, rssKb(pid)!)
      const growthMb = (peak - base) / 1024
      console.log(
        `tmail GET /queue: ${res.rows} rows, ${(res.bytes / 1e6).toFixed(0)} MB in ${seconds.toFixed(1)} s ` +
          `(${Math.round(res.rows / seconds)} rows/s over TLS); server RSS ${Math.round(base / 1024)} MB -> peak ${Math.round(peak / 1024)} MB (+${growthMb.toFixed(1)} MB)`,
      )
      expect(res.status).toBe(200)
      expect(res.rows).toBe(ROWS)
      expect(res.head.startsWith('[{"Id":1,"Uuid":"0000000000000000000000000000000000000001"')).toBe(true)
      expect(res.tail.endsWith('}]')).toBe(true)
      expect(growthMb).toBeLessThan(64)
    }, 180_000)
  },
)
