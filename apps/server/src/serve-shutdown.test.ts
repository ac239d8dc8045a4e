import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { loadConfig } from './config.ts'
import { createLogger } from './log.ts'
import { serve } from './serve.ts'

// Review of #26, item 5: stop() awaited the HTTPS proxy before the HTTPS server's drain and timer,
// and the proxy's close waited for every tunnel: one open tunnel held the shutdown for its idle time.
it('an open tunnel through the HTTPS proxy does not keep stop() beyond the grace period', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailfront-stop-'))
  const config = loadConfig({
    MAILFRONT_PORT: '0',
    MAILFRONT_PROXY_PORT: '0',
    MAILFRONT_DATA_DIR: dir,
    MAILFRONT_DATABASE_URL: 'memory:',
    MAILFRONT_DEMO: 'off',
    // Far beyond the test's time: only the grace period can close the tunnel.
    MAILFRONT_HEADERS_TIMEOUT_S: '600',
    MAILFRONT_REQUEST_TIMEOUT_S: '600',
  })
  const running = await serve(
    config,
    createLogger('silent'),
    () => undefined,
    {},
    () => undefined,
    {
      shutdownGraceMs: 300,
    },
  )
  try {
    const sock = connect(running.proxyPort!, '127.0.0.1')
    sock.on('error', () => {})
    const closed = new Promise<void>((r) => sock.once('close', () => r()))
    sock.write('CONNECT api.smtpd.dev:443 HTTP/1.1\r\nHost: api.smtpd.dev:443\r\n\r\n')
    const head = await new Promise<string>((r) => sock.once('data', (b) => r(String(b))))
    expect(head).toMatch(/^HTTP\/1\.1 200 /)
    // The tunnel is open and silent (no TLS handshake): stop() ends by closing it.
    await running.stop()
    await closed
    expect(sock.destroyed).toBe(true)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}, 30_000)
