#!/usr/bin/env node
// Runs the built JavaScript (`npm run build`; `npm start` and `npm run mailfront` build first when needed).
import module from 'node:module'

module.enableCompileCache?.() // Node 22.1+: cached bytecode makes later starts faster still
let cli
try {
  cli = await import('../dist/cli.js')
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/cli.js')) throw err
  process.stderr.write('mailfront is not built: run `npm run build` (`npm start` builds first by itself)\n')
  process.exit(1)
}
await cli.main(process.argv)
