import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { loadConfig } from '../apps/server/src/config.ts'
import { createLogger } from '../apps/server/src/log.ts'
import { createRuntime, loadStartupFixtures } from '../apps/server/src/runtime.ts'

const dir = mkdtempSync(join(tmpdir(), 'x-'))
const config = loadConfig({
  MAILFRONT_DATA_DIR: dir,
  MAILFRONT_TLS: 'off',
  MAILFRONT_REQUIRE_HTTPS: 'false',
  MAILFRONT_DEMO: 'on',
  MAILFRONT_LOG_LEVEL: 'warn',
} as never)
const rt = await createRuntime(
  config,
  createLogger('warn', pino.destination({ dest: '/dev/null', sync: false })),
)
await loadStartupFixtures(rt)
const path = process.env.P ?? '/users/toorop@tmail.io'
const A = { headers: { Authorization: 'Basic YWRtaW46YWRtaW4=' } }
for (let i = 0; i < 100000; i++) await (await rt.app.request(path, A)).text()
await rt.close()
