import { describe, expect, it } from 'vitest'
import { insecureFetch, startServer } from './server-process.ts'

// `mailfront serve | head -1`: the reader of stdout goes away. The server keeps serving (its lines
// are dropped) and a SIGTERM still stops it: sonic-boom's synchronous flush used to retry the
// failed write forever, so the process never exited.
describe('stdout closed under the server', () => {
  it('serves on and stops on SIGTERM', async () => {
    const srv = await startServer({})
    srv.child.stdout!.destroy()
    for (let i = 0; i < 3; i++) expect((await insecureFetch(`${srv.url}/healthz`)).status).toBe(200)
    srv.child.kill('SIGTERM')
    expect(await srv.exited).toBe(0)
  }, 20_000)
})
